import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  RELATION_CHILD_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  HEALTH_SIGNALS_HEARTBEAT_CHANNEL,
  HEALTH_SIGNALS_HEARTBEAT_MS,
  HealthSignalMessage,
  TenancyRules,
  entityHealthChannel,
  getEntityKubernetesMatch,
  groupHealthChannel,
  toGroupRef,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { entitiesByKubernetesId, ownerGroups } from '../catalogLookup';
import { IndexChange } from '../cluster/ObjectIndex';
import { groupAndDescendants } from '../groupTree';

/** `deploymentHealth.signals.*` (see config.d.ts). */
export interface HealthSignalsOptions {
  enabled: boolean;
  /** Changes within this window after the first are announced together. */
  debounceMs: number;
  heartbeatMs: number;
}

export function readHealthSignalsOptions(config: Config): HealthSignalsOptions {
  const c = config.getOptionalConfig('deploymentHealth.signals');
  return {
    enabled: c?.getOptionalBoolean('enabled') ?? true,
    debounceMs: c?.getOptionalNumber('debounceMilliseconds') ?? 300,
    heartbeatMs: HEALTH_SIGNALS_HEARTBEAT_MS,
  };
}

/** Parent groups followed up from an owner before the walk stops (cycles, deep trees). */
const MAX_ANCESTOR_DEPTH = 10;

/**
 * Announces, with Backstage signals, that a service's objects changed: one
 * signal per entity whose objects they are and one per owning team (and
 * each of its parent teams, whose team view shows the service too).
 *
 * Changes are coalesced: the first change opens a window of `debounceMs`,
 * and everything changed in it goes out together when it closes, so a
 * rollout of 50 pods is one signal, not 200, and the delay is bounded.
 *
 * A signal says which entity or team changed and nothing else. It goes to
 * the owning group, its sub-groups and the platform groups
 * (`shipyard.tenancy.platformGroups`), never broadcast: signals-backend
 * delivers a `user` signal only to connections whose ownership refs include
 * one of the recipients: the owners and the platform groups, most readers
 * of the entity's details under the shipped policy (pages refetch once a
 * minute anyway for the others). A team's channel goes to that team and the
 * platform groups.
 */
export class HealthSignals {
  private readonly pending = new Map<string, Set<string>>();
  private timer?: ReturnType<typeof setTimeout>;
  private heartbeat?: ReturnType<typeof setInterval>;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly deps: {
      signals: SignalsService;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      tenancy: TenancyRules;
      options: HealthSignalsOptions;
    },
  ) {}

  /** A change of a service's objects, as the watch cache reports it. */
  notify(change: IndexChange) {
    // the caches may still report while the backend shuts down
    if (!this.deps.options.enabled || this.stopped) return;
    let namespaces = this.pending.get(change.kubernetesId);
    if (!namespaces)
      this.pending.set(change.kubernetesId, (namespaces = new Set()));
    namespaces.add(change.namespace);
    if (!this.timer)
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flushing = this.flushing.then(() => this.flush());
      }, this.deps.options.debounceMs);
  }

  /** Starts the heartbeat that tells browsers the signals are alive. */
  start() {
    if (!this.deps.options.enabled) return;
    this.heartbeat = setInterval(
      () => this.beat(),
      this.deps.options.heartbeatMs,
    );
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    await this.flushing;
  }

  private async beat() {
    const message: HealthSignalMessage = { kind: 'heartbeat' };
    try {
      await this.deps.signals.publish({
        channel: HEALTH_SIGNALS_HEARTBEAT_CHANNEL,
        recipients: { type: 'broadcast' },
        message,
      });
    } catch (e) {
      this.deps.logger.warn(`Cannot publish the signals heartbeat: ${e}`);
    }
  }

  /** Publishes what changed since the last flush. */
  async flush() {
    const changed = new Map(this.pending);
    this.pending.clear();
    if (changed.size === 0) return;
    try {
      const { catalog, auth, tenancy } = this.deps;
      const credentials = await auth.getOwnServiceCredentials();
      const entities = await entitiesByKubernetesId(
        catalog,
        [...changed.keys()],
        credentials,
      );
      const platform = tenancy.platformGroups.map(toGroupRef);
      const changedEntities = entities.flatMap(entity => {
        const resolved = getEntityKubernetesMatch(entity, tenancy);
        if (!('match' in resolved)) return [];
        const { match } = resolved;
        // The same label in another team's namespace is not this entity's.
        const where =
          match.type === 'kubernetesId' && changed.get(match.kubernetesId);
        if (!where || !match.namespaces.some(n => where.has(n))) return [];
        return [
          {
            entityRef: stringifyEntityRef(entity),
            owners: ownerGroups(entity),
          },
        ];
      });
      const ownerRefs = [...new Set(changedEntities.flatMap(e => e.owners))];
      const [ancestors, descendants] = await Promise.all([
        this.ancestorsOf(ownerRefs, credentials),
        this.descendantsOf(ownerRefs, credentials),
      ]);
      const published: Promise<void>[] = [];
      const teams = new Set<string>();
      for (const { entityRef, owners } of changedEntities) {
        // Members of the owning team and of its sub-teams read the details
        // (the shipped policy counts a user's groups and their parents),
        // and so do the platform groups.
        const readers = owners.flatMap(o => descendants.get(o) ?? [o]);
        // The owning team's view and its parent teams' views show it.
        owners.forEach(o =>
          [o, ...ancestors.get(o)!].forEach(t => teams.add(t)),
        );
        published.push(
          this.publish(
            entityHealthChannel(entityRef),
            [...readers, ...platform],
            {
              kind: 'entity',
              entityRef,
              change: 'health',
            },
          ),
        );
      }
      // A parent team's view shows its sub-teams' services too.
      for (const groupRef of teams) {
        published.push(
          this.publish(groupHealthChannel(groupRef), [groupRef, ...platform], {
            kind: 'group',
            groupRef,
            change: 'health',
          }),
        );
      }
      await Promise.all(published);
    } catch (e) {
      this.deps.logger.warn(`Cannot publish deployment health signals: ${e}`);
    }
  }

  private async publish(
    channel: string,
    recipients: string[],
    message: HealthSignalMessage,
  ) {
    await this.deps.signals.publish({
      channel,
      recipients: { type: 'user', entityRef: [...new Set(recipients)] },
      message,
    });
  }

  /** Each group with its sub-groups (parentOf relations, walked down). */
  private async descendantsOf(
    groups: string[],
    credentials: Awaited<ReturnType<AuthService['getOwnServiceCredentials']>>,
  ): Promise<Map<string, string[]>> {
    const { items } = await this.deps.catalog.getEntitiesByRefs(
      { entityRefs: groups, fields: ['kind', 'metadata', 'relations'] },
      { credentials },
    );
    const result = new Map<string, string[]>();
    await Promise.all(
      groups.map(async (ref, i) => {
        const entity = items[i];
        result.set(
          ref,
          entity
            ? await groupAndDescendants(
                { ref, entity },
                this.deps.catalog,
                credentials,
              )
            : [ref],
        );
      }),
    );
    return result;
  }

  /** The parent groups (childOf relations, walked up) of each group. */
  private async ancestorsOf(
    groups: string[],
    credentials: Awaited<ReturnType<AuthService['getOwnServiceCredentials']>>,
  ): Promise<Map<string, Set<string>>> {
    const parentsOf = new Map<string, string[]>();
    let frontier = groups;
    for (
      let depth = 0;
      frontier.length && depth < MAX_ANCESTOR_DEPTH;
      depth++
    ) {
      const { items } = await this.deps.catalog.getEntitiesByRefs(
        { entityRefs: frontier, fields: ['kind', 'metadata', 'relations'] },
        { credentials },
      );
      const next = new Set<string>();
      frontier.forEach((ref, i) => {
        const parents = (items[i]?.relations ?? [])
          .filter(r => r.type === RELATION_CHILD_OF)
          .map(r => r.targetRef);
        parentsOf.set(ref, parents);
        parents.filter(p => !parentsOf.has(p)).forEach(p => next.add(p));
      });
      frontier = [...next];
    }
    const result = new Map<string, Set<string>>();
    for (const group of groups) {
      const seen = new Set<string>();
      const stack = [...(parentsOf.get(group) ?? [])];
      while (stack.length) {
        const p = stack.pop()!;
        if (seen.has(p) || p === group) continue;
        seen.add(p);
        stack.push(...(parentsOf.get(p) ?? []));
      }
      result.set(group, seen);
    }
    return result;
  }
}
