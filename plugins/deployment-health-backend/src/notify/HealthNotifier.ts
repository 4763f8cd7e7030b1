import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  deploymentStateOf,
  EntityHealth,
  getEntityKubernetesMatch,
  TenancyRules,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { entitiesByKubernetesId, ownerGroups } from '../catalogLookup';
import type { ClusterCache } from '../cluster/ClusterCache';
import { Announcement, Incident, Look, nextIncident } from './incident';
import { IncidentStore } from './IncidentStore';
import { NotificationOptions } from './options';

/** Findings quoted in a notification; the tab has the rest. */
const REASONS_QUOTED = 3;

const keyOf = (k: { entityRef: string; environment: string }) =>
  JSON.stringify([k.entityRef, k.environment]);

/**
 * Tells a service's owners when it turns Failed or Degraded in a notified
 * environment and stays so, and again when it has recovered (see
 * nextIncident for the damping). Each look reads every service the
 * environment's caches hold and steps its incident, kept in the database;
 * the scheduler runs the looks on one replica at a time, so each incident
 * is announced once whichever replica looks.
 */
export class HealthNotifier {
  constructor(
    private readonly deps: {
      caches: readonly ClusterCache[];
      catalog: CatalogService;
      auth: AuthService;
      notifications: NotificationService;
      store: IncidentStore;
      /** The entity's health, unchecked (DeploymentHealthService.healthForOwners). */
      health: (entity: Entity) => Promise<EntityHealth>;
      tenancy: TenancyRules;
      options: NotificationOptions;
      logger: LoggerService;
      now?: () => number;
    },
  ) {}

  private readonly warned = new Set<string>();

  /** One look at every service of the notified environments. */
  async look(): Promise<void> {
    const { options, store } = this.deps;
    const now = this.deps.now?.() ?? Date.now();
    for (const env of options.environments) {
      const seen = this.deps.caches.some(
        c => c.cluster.environment === env.name,
      );
      if (env.configKey && !seen && !this.warned.has(env.name)) {
        this.warned.add(env.name);
        this.deps.logger.warn(
          `${env.configKey}: no cluster has the environment "${env.name}" yet; its services are not watched for notifications`,
        );
      }
    }
    const incidents = new Map((await store.all()).map(i => [keyOf(i), i]));
    const entities = await this.services(
      [...incidents.values()].map(i => i.entityRef),
    );
    const looked = new Set<string>();
    for (const entity of entities) {
      const entityRef = stringifyEntityRef(entity);
      const health = await this.deps.health(entity);
      for (const env of options.environments) {
        const key = { entityRef, environment: env.name };
        looked.add(keyOf(key));
        const before = incidents.get(keyOf(key));
        const look = lookIn(health, env.name);
        const { incident, announce } = nextIncident(before, key, look, now, {
          afterMs: options.afterMs,
          statuses: env.statuses,
        });
        // Announced first, stored after: an announcement that fails is
        // made again at the next look (its scope keeps it one notification).
        if (
          announce &&
          !(await this.announce(entity, announce, incident ?? before!, look))
        )
          continue;
        if (incident && JSON.stringify(incident) !== JSON.stringify(before))
          await store.put(incident);
        else if (!incident && before) await store.delete(key);
      }
    }
    // An entity gone from the catalog (or now found by a label selector), or
    // an environment no longer notified: nothing left to announce.
    for (const [k, incident] of incidents)
      if (!looked.has(k)) await store.delete(incident);
  }

  /**
   * The components whose objects the notified environments' caches hold
   * (matched by kubernetes-id in their owner team's namespaces), and those
   * with an incident still on record.
   */
  private async services(withIncidents: string[]): Promise<Entity[]> {
    const { catalog, auth, options, tenancy } = this.deps;
    const names = new Set(options.environments.map(e => e.name));
    const ids = new Set<string>();
    for (const cache of this.deps.caches)
      if (names.has(cache.cluster.environment))
        cache.index.kubernetesIds().forEach(id => ids.add(id));
    const credentials = await auth.getOwnServiceCredentials();
    const found = await entitiesByKubernetesId(catalog, [...ids], credentials);
    const refs = new Set(found.map(e => stringifyEntityRef(e)));
    const missing = withIncidents.filter(r => !refs.has(r));
    if (missing.length) {
      const { items } = await catalog.getEntitiesByRefs(
        { entityRefs: missing },
        { credentials },
      );
      found.push(...items.filter((e): e is Entity => !!e));
    }
    // Custom label selectors would need a query per look: not watched.
    return found.filter(e => {
      const m = getEntityKubernetesMatch(e, tenancy);
      return 'match' in m && m.match.type === 'kubernetesId';
    });
  }

  /** Sends the announcement; false when it could not be sent. */
  private async announce(
    entity: Entity,
    announce: Announcement,
    incident: Incident,
    look: Look,
  ): Promise<boolean> {
    const entityRef = stringifyEntityRef(entity);
    const owners = ownerGroups(entity);
    if (owners.length === 0) return true; // nobody to tell
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const title = entity.metadata.title ?? name;
    const link = [
      '/catalog',
      namespace,
      kind.toLocaleLowerCase('en-US'),
      name,
      ...(this.deps.options.tabPath ? [this.deps.options.tabPath] : []),
    ].join('/');
    const opened = announce === 'opened';
    const reasons = incident.reasons
      .slice(0, REASONS_QUOTED)
      .map(r => r.message ?? r.code);
    try {
      await this.deps.notifications.send({
        recipients: { type: 'entity', entityRef: owners },
        payload: {
          title: opened
            ? `${title} is ${incident.status} in ${incident.environment}`
            : `${title} has recovered in ${incident.environment}`,
          description: opened
            ? reasons.join('; ')
            : `It was ${incident.status} from ${new Date(
                incident.since,
              ).toISOString()}; it is ${look.state} now.`,
          link,
          severity: opened && incident.status === 'Failed' ? 'high' : 'normal',
          topic: 'deployment-health',
          // the same announcement sent twice (a retried look) is one notification
          scope: `deployment-health:${entityRef}:${incident.environment}:${incident.since}:${announce}`,
        },
      });
      return true;
    } catch (e) {
      this.deps.logger.warn(
        `Cannot notify the owners of ${entityRef} (${announce} in ${incident.environment}), trying again at the next look: ${e}`,
      );
      return false;
    }
  }
}

/** The service's state in one environment, and the findings there. */
function lookIn(health: EntityHealth, environment: string): Look {
  const clusters = health.clusters.filter(c => c.environment === environment);
  const names = new Set(clusters.map(c => c.cluster));
  return {
    state: deploymentStateOf(clusters),
    reasons: health.reasons.filter(
      r => r.status !== 'Healthy' && r.cluster && names.has(r.cluster),
    ),
  };
}
