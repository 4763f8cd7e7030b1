import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { V1Node } from '@kubernetes/client-node';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ClusterError,
  ClusterHealth,
  ClustersPreparing,
  ClustersResponse,
  RuleOptions,
  ServiceObjects,
  clusterHealth,
  deploymentHealthClustersReadPermission,
  deploymentHealthNodesReadPermission,
  deploymentHealthReadPermission,
  deploymentHealthSummaryReadPermission,
  EntityHealth,
  entityHealth,
  EntityHealthResponse,
  getEntityKubernetesMatch,
  GroupHealthResponse,
  HealthReason,
  kubernetesRefusalReason,
  statusOf,
  worstStatus,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { ClusterCache } from './cluster/ClusterCache';
import { OnDemandQuery, QueryBudget } from './cluster/onDemand';
import { groupAndDescendants } from './groupTree';
import { HealthMemo } from './HealthMemo';
import { CacheOptions } from './options';
import { restrictNodeDetails, restrictToSummary, summarize } from './summary';

/** Components asked of the catalog per page for a team view. */
const COMPONENTS_PER_PAGE = 500;

const ENTITY_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'spec.owner',
  'relations',
];

/**
 * Answers health questions from the watch caches. Every method checks
 * permissions and reads the catalog with the caller's credentials, so catalog
 * visibility rules apply too.
 */
export class DeploymentHealthService {
  constructor(
    private readonly deps: {
      caches: ClusterCache[];
      catalog: CatalogService;
      permissions: PermissionsService;
      options: CacheOptions;
      logger: LoggerService;
      onDemand: OnDemandQuery;
      /** Clusters announced as on their way, read on each request. */
      preparing?: () => ClustersPreparing | undefined;
    },
  ) {}

  private readonly memo = new HealthMemo();

  async getEntityHealth(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<EntityHealthResponse> {
    const { entity, access } = await this.entityAccess(ref, credentials);
    // Summary readers get the summary, not a 403: the tab still shows status.
    const health = await this.computeEntity(entity);
    return {
      ...(access === 'details' ? health : restrictToSummary(health)),
      generatedAt: new Date().toISOString(),
    };
  }

  /**
   * The entity, as the caller's credentials read it from the catalog, and
   * what the caller may read of its health: details or the summary.
   * NotAllowedError when neither, NotFoundError when there is no entity.
   * Every read about one entity (its health, its timeline) starts here.
   */
  async entityAccess(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<{ entity: Entity; access: 'details' | 'summary' }> {
    const entityRef = stringifyEntityRef(ref);
    // Independent round trips: run them together (the result is only used if allowed).
    const [[access], entity] = await Promise.all([
      this.accessTo([entityRef], credentials),
      this.deps.catalog.getEntityByRef(entityRef, { credentials }),
    ]);
    if (access === 'none') throw notAllowed(entityRef);
    if (!entity) throw new NotFoundError(`No entity ${entityRef}`);
    return { entity, access };
  }

  async getGroupHealth(
    ref: CompoundEntityRef,
    options: { includeChildren: boolean; details: boolean },
    credentials: BackstageCredentials,
  ): Promise<GroupHealthResponse> {
    const { includeChildren, details } = options;
    const groupRef = stringifyEntityRef({ ...ref, kind: 'group' });
    const { catalog } = this.deps;
    // The team view is a summary: the group itself needs only that permission.
    const [[groupAccess], group] = await Promise.all([
      this.accessTo([groupRef], credentials),
      catalog.getEntityByRef(groupRef, { credentials }),
    ]);
    if (groupAccess === 'none') throw notAllowed(groupRef);
    if (!group) throw new NotFoundError(`No group ${groupRef}`);

    const groupRefs = includeChildren
      ? await groupAndDescendants(
          { ref: groupRef, entity: group },
          catalog,
          credentials,
        )
      : [groupRef];

    const { items, leftOut } = await this.componentsOwnedBy(
      groupRefs,
      credentials,
    );
    // One team view runs a bounded number of custom-selector queries.
    const customSelectors = this.deps.onDemand.teamViewBudget();
    // Per-component decision: a conditional policy may allow some components only.
    const refs = items.map(e => stringifyEntityRef(e));
    // Health comes from the cache (memoized), so computing it while the
    // permission decisions are in flight costs little and saves a round trip;
    // denied components are dropped before anything is returned.
    const [access, healths] = await Promise.all([
      this.accessTo(refs, credentials),
      Promise.all(items.map(e => this.computeEntity(e, customSelectors))),
    ]);
    const entities = items
      .map((e, i) => ({
        e,
        health: healths[i],
        access: access[i],
      }))
      .filter(x => x.access !== 'none')
      .map(({ e, health, access: a }) => {
        const owner =
          e.relations?.find(
            r =>
              r.type === RELATION_OWNED_BY && groupRefs.includes(r.targetRef),
          )?.targetRef ?? groupRef;
        let form = restrictToSummary;
        if (a === 'details') form = details ? h => h : summarize;
        return { ...form(health), owner };
      });
    entities.sort((a, b) => a.entityRef.localeCompare(b.entityRef));
    // Cluster status is its own permission (as on /clusters): a policy that
    // hides it must not be bypassed through the team view.
    const clusterAccess = await this.clusterAccess(credentials);
    return {
      groupRef,
      groupRefs,
      status: entities.length
        ? worstStatus(entities.map(e => e.status))
        : 'Unknown',
      entities,
      ...(leftOut ? { componentsLeftOut: leftOut } : {}),
      ...(clusterAccess === 'none'
        ? { clusters: [] }
        : this.clusterStatus(clusterAccess)),
      generatedAt: new Date().toISOString(),
    };
  }

  /**
   * The components the groups own, page by page (the catalog caps one
   * page), up to `maxGroupComponents`; how many more there are is reported,
   * never dropped silently.
   */
  private async componentsOwnedBy(
    groupRefs: string[],
    credentials: BackstageCredentials,
  ): Promise<{ items: Entity[]; leftOut: number }> {
    const max = this.deps.options.maxGroupComponents;
    const items: Entity[] = [];
    let page = await this.deps.catalog.queryEntities(
      {
        filter: { kind: 'component', 'relations.ownedBy': groupRefs },
        fields: ENTITY_FIELDS,
        // by name: which components a capped view reports does not change between calls
        orderFields: { field: 'metadata.name', order: 'asc' },
        limit: Math.min(COMPONENTS_PER_PAGE, max),
      },
      { credentials },
    );
    const total = page.totalItems;
    for (;;) {
      items.push(...page.items.slice(0, max - items.length));
      const cursor = page.pageInfo.nextCursor;
      if (!cursor || items.length >= max) break;
      page = await this.deps.catalog.queryEntities(
        {
          cursor,
          fields: ENTITY_FIELDS,
          limit: Math.min(COMPONENTS_PER_PAGE, max - items.length),
        },
        { credentials },
      );
    }
    return { items, leftOut: Math.max(0, total - items.length) };
  }

  async getClusters(
    credentials: BackstageCredentials,
  ): Promise<ClustersResponse> {
    const access = await this.clusterAccess(credentials);
    if (access === 'none')
      throw new NotAllowedError('Not allowed to read cluster status');
    return this.clusterStatus(access);
  }

  /**
   * What the caller may read of the clusters, in one batch of decisions: the
   * node details too (`deployment-health.nodes.read`), the clusters with
   * their health in the restricted form (`deployment-health.clusters.read`),
   * or nothing. Node details need both.
   */
  private async clusterAccess(
    credentials: BackstageCredentials,
  ): Promise<'nodes' | 'clusters' | 'none'> {
    const [clusters, nodes] = await this.deps.permissions.authorize(
      [
        { permission: deploymentHealthClustersReadPermission },
        { permission: deploymentHealthNodesReadPermission },
      ],
      { credentials },
    );
    if (clusters.result !== AuthorizeResult.ALLOW) return 'none';
    return nodes.result === AuthorizeResult.ALLOW ? 'nodes' : 'clusters';
  }

  /** Every cluster's status and health, with the node details only for `nodes` access. */
  private clusterStatus(access: 'nodes' | 'clusters'): ClustersResponse {
    const now = Date.now();
    const preparing = this.deps.preparing?.();
    return {
      clusters: this.deps.caches.map(c => {
        const status = c.status(now, { health: true });
        if (access === 'nodes' || !status.health) return status;
        return { ...status, health: restrictNodeDetails(status.health) };
      }),
      ...(preparing ? { preparing } : {}),
    };
  }

  /**
   * What the caller may read of each entity, in one batch of decisions:
   * details (`deployment-health.entity.read`), else the summary
   * (`deployment-health.entity.summary.read`), else nothing. Both are
   * resource permissions, so a conditional policy decides per entity.
   */
  private async accessTo(
    refs: string[],
    credentials: BackstageCredentials,
  ): Promise<Array<'details' | 'summary' | 'none'>> {
    if (!refs.length) return [];
    const decisions = await this.deps.permissions.authorize(
      [
        deploymentHealthReadPermission,
        deploymentHealthSummaryReadPermission,
      ].flatMap(permission =>
        refs.map(resourceRef => ({ permission, resourceRef })),
      ),
      { credentials },
    );
    const allowed = (i: number) =>
      decisions[i]?.result === AuthorizeResult.ALLOW;
    return refs.map((_, i) => {
      if (allowed(i)) return 'details';
      return allowed(refs.length + i) ? 'summary' : 'none';
    });
  }

  /**
   * An entity's health with no permission check, for the backend's own
   * jobs (notifications to the entity's owners): never return it to a
   * caller. Custom label selectors are not queried (no request budget).
   */
  async healthForOwners(entity: Entity): Promise<EntityHealth> {
    return this.computeEntity(entity, new QueryBudget(0));
  }

  /**
   * An entity's health from what the caches and on-demand queries hold in
   * its owner team's namespaces. Refused annotations, and custom selectors
   * past the request's `queries` budget, read nothing: the entity gets that
   * finding instead.
   */
  private async computeEntity(
    entity: Entity,
    queries?: QueryBudget,
  ): Promise<EntityHealth> {
    const entityRef = stringifyEntityRef(entity);
    const resolved = getEntityKubernetesMatch(
      entity,
      this.deps.options.tenancy,
    );
    if ('refusal' in resolved)
      return notRead(
        entityRef,
        entity,
        kubernetesRefusalReason(resolved.refusal),
      );
    const { match } = resolved;
    if (match.type === 'labelSelector' && queries && !queries.take())
      return notRead(entityRef, entity, queries.reason());
    const now = Date.now();
    const ruleOptions = {
      now: new Date(now),
      recentWindowMs: this.deps.options.recentWindowMs,
    };
    const caches = this.deps.caches.filter(
      c => !match.cluster || c.cluster.name === match.cluster,
    );
    const clusters: ClusterHealth[] = [];
    await Promise.all(
      caches.map(async cache => {
        const cluster = cache.cluster;
        let error = cache.sync.error(now);
        const lastSynced = cache.sync.lastSyncedAt();
        let objects;
        let truncated = false;
        let source: ClusterHealth['source'] = 'cache';
        if (match.type === 'kubernetesId') {
          objects = cache.index.objectsFor(
            match.kubernetesId,
            match.namespaces,
          );
        } else {
          source = 'query';
          const r = await this.deps.onDemand.query(
            cache.connection,
            match.labelSelector,
            match.namespaces,
          );
          objects = cache.index.withEvents(r.objects);
          truncated = r.truncated;
          error = r.error ?? error;
        }
        const syncing = !error && !cache.sync.synced;
        const capped = cache.index.cappedReasons(
          cluster.name,
          match.namespaces,
        );
        const nodeOf = (name: string) => cache.index.node(name);
        const compute = () =>
          this.clusterHealthOf(
            cluster,
            objects,
            { error, source, truncated, syncing, capped, nodeOf },
            ruleOptions,
          );
        const h =
          match.type === 'kubernetesId'
            ? this.memo.get(
                // capped: whether the cache left objects out changes no version
                `${cluster.name}\0${JSON.stringify(match)}\0${capped.length}`,
                {
                  version: cache.index.versionOf(match.kubernetesId),
                  nodesVersion: cache.index.nodesVersion,
                  now,
                  error,
                  syncing,
                },
                compute,
              )
            : compute();
        if (!h) return;
        clusters.push({
          ...h,
          ...(lastSynced !== undefined
            ? { lastSyncedAt: new Date(lastSynced).toISOString() }
            : {}),
          ...(cache.sync.staleAge(now) !== undefined ? { stale: true } : {}),
        });
      }),
    );
    clusters.sort((a, b) => a.cluster.localeCompare(b.cluster));
    return entityHealth(entityRef, clusters, entity.metadata.title);
  }

  private clusterHealthOf(
    cluster: ClusterCache['cluster'],
    objects: ServiceObjects,
    extra: {
      error?: ClusterError;
      source: ClusterHealth['source'];
      truncated: boolean;
      syncing: boolean;
      /** The cache left objects out in one of the entity's namespaces. */
      capped: HealthReason[];
      /** The cluster's Nodes by name: pods on a sick node say so. */
      nodeOf: (name: string) => V1Node | undefined;
    },
    ruleOptions: RuleOptions,
  ): ClusterHealth | null {
    const found = Object.entries(objects).some(
      ([k, v]) => k !== 'events' && (v as unknown[]).length > 0,
    );
    // Only list clusters the service runs in, plus the ones we could not
    // read (it may run there): never report "not deployed" on missing data.
    if (!found && !extra.error && !extra.syncing && !extra.capped.length)
      return null;
    const h = clusterHealth(cluster, objects, extra, ruleOptions);
    if (!extra.capped.length) return h;
    const reasons = [...h.reasons, ...extra.capped];
    return { ...h, reasons, status: statusOf(reasons) };
  }
}

/** An entity whose objects were not read, with the finding that says why. */
function notRead(
  entityRef: string,
  entity: Entity,
  reason: HealthReason,
): EntityHealth {
  return {
    entityRef,
    ...(entity.metadata.title ? { title: entity.metadata.title } : {}),
    status: reason.status,
    reasons: [reason],
    clusters: [],
  };
}

/** Neither the summary nor the details of `ref` may be read. */
function notAllowed(ref: string) {
  return new NotAllowedError(
    `Not allowed to read deployment health of ${ref} (deployment-health.entity.summary.read)`,
  );
}
