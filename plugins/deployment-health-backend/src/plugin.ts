import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { deploymentHealthPermissions } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  assertSupportedBackstageRelease,
  shipyardClustersServiceRef,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import packageJson from '../package.json';
import { registerHealthActions } from './actions';
import { ClusterCaches } from './cluster/ClusterCaches';
import { OnDemandQuery } from './cluster/onDemand';
import { DeploymentHealthService } from './DeploymentHealthService';
import { HealthSignals, readHealthSignalsOptions } from './live/HealthSignals';
import { readNotificationOptions, setUpNotifications } from './notify';
import { readOptions, readPreparingClusters } from './options';
import { createRouter } from './router';
import {
  readTimelineOptions,
  setUpTimeline,
  TimelineService,
} from './timeline';

// On import, before anything registers: a backend of another Backstage release
// line fails here with the range this package needs, not later with a stack trace.
assertSupportedBackstageRelease(packageJson);
/**
 * Deployment health backend: one list+watch cache per configured cluster and
 * a REST API and read-only actions (actions registry) for entity, team and
 * cluster health.
 *
 * @public
 */
export const deploymentHealthPlugin = createBackendPlugin({
  pluginId: 'deployment-health',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        auth: coreServices.auth,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        notifications: notificationService,
        catalog: catalogServiceRef,
        clusters: shipyardClustersServiceRef,
        signals: signalsServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init({
        config,
        logger,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        lifecycle,
        auth,
        database,
        scheduler,
        notifications,
        catalog,
        clusters,
        signals,
        actionsRegistry,
      }) {
        const options = readOptions(config);
        permissionsRegistry.addPermissions(deploymentHealthPermissions);

        const caches = new ClusterCaches(clusters, options, logger);
        // Changes the caches see are announced to the browsers with signals.
        const live = new HealthSignals({
          signals,
          catalog,
          auth,
          logger,
          tenancy: options.tenancy,
          options: readHealthSignalsOptions(config),
        });
        caches.onChange(change => live.notify(change));
        lifecycle.addStartupHook(() => live.start());
        lifecycle.addShutdownHook(() => live.stop());
        // Watches start once the backend is up (the catalog, which may list
        // clusters, serves by then); failures are per cluster and retried
        // with backoff, never fatal for the backend. Clusters added to or
        // removed from the catalog start and stop their watch.
        lifecycle.addStartupHook(async () => {
          await caches.start();
          if (caches.list.length === 0) {
            logger.warn(
              'No clusters configured (kubernetes.clusterLocatorMethods); health reports will be empty',
            );
          }
        });
        lifecycle.addShutdownHook(() => caches.stop());

        const health = new DeploymentHealthService({
          caches: caches.list,
          catalog,
          permissions,
          options,
          logger,
          onDemand: new OnDemandQuery(options),
          preparing: () => readPreparingClusters(config),
        });
        // The timeline: what the caches see, recorded in the plugin's database.
        const store = await setUpTimeline({
          options: readTimelineOptions(config),
          database,
          scheduler,
          lifecycle,
          logger,
          caches,
          recentWindowMs: options.recentWindowMs,
        });
        const timeline = new TimelineService({
          logger,
          health,
          store,
          tenancy: options.tenancy,
          environmentOf: name =>
            caches.list.find(c => c.cluster.name === name)?.cluster.environment,
        });
        // Owners hear of a service that breaks in a notified environment.
        await setUpNotifications({
          options: readNotificationOptions(config),
          database,
          scheduler,
          logger,
          caches,
          clusters,
          catalogLocatesClusters: (
            config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ??
            []
          ).some(m => m.getOptionalString('type') === 'catalog'),
          catalog,
          auth,
          notifications,
          tenancy: options.tenancy,
          health: entity => health.healthForOwners(entity),
        });
        httpRouter.use(await createRouter({ httpAuth, health, timeline }));
        registerHealthActions({ actionsRegistry, health });
      },
    });
  },
});
