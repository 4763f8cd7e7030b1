import {
  AuthService,
  DatabaseService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  EntityHealth,
  TenancyRules,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { ShipyardClustersService } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import type { ClusterCaches } from '../cluster/ClusterCaches';
import { HealthNotifier } from './HealthNotifier';
import { IncidentStore } from './IncidentStore';
import { assertKnownEnvironments, NotificationOptions } from './options';

export { readNotificationOptions } from './options';

/** The look's task id: the scheduler runs it on one replica at a time (scope global). */
export const NOTIFY_TASK_ID = 'deployment-health-notifications';

/**
 * Wires the owners' notifications: the incident store (migrated), the
 * notifier, its task, and the start-up check of the configured
 * environments. Nothing is set up (nor the database touched) when they
 * are switched off.
 */
export async function setUpNotifications(deps: {
  options: NotificationOptions;
  database: DatabaseService;
  scheduler: SchedulerService;
  logger: LoggerService;
  caches: ClusterCaches;
  clusters: ShipyardClustersService;
  /** A `type: catalog` cluster locator is configured. */
  catalogLocatesClusters: boolean;
  catalog: CatalogService;
  auth: AuthService;
  notifications: NotificationService;
  tenancy: TenancyRules;
  health: (entity: Entity) => Promise<EntityHealth>;
}): Promise<void> {
  const { options } = deps;
  if (!options.enabled) return;
  // Clusters from the config are known now: a typo fails the start-up.
  // Catalog clusters come later (the catalog does not serve yet); with
  // them, a look warns of an environment no cluster has.
  if (!deps.catalogLocatesClusters)
    assertKnownEnvironments(
      options,
      (await deps.clusters.listClusters()).map(c => c.environment),
    );
  const notifier = new HealthNotifier({
    caches: deps.caches.list,
    catalog: deps.catalog,
    auth: deps.auth,
    notifications: deps.notifications,
    store: await IncidentStore.create(deps.database),
    health: deps.health,
    tenancy: deps.tenancy,
    options,
    logger: deps.logger,
  });
  await deps.scheduler.scheduleTask({
    id: NOTIFY_TASK_ID,
    scope: 'global',
    frequency: { milliseconds: options.intervalMs },
    initialDelay: { milliseconds: options.intervalMs },
    timeout: { minutes: 5 },
    fn: () => notifier.look(),
  });
}
