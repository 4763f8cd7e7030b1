import { LoggerService } from '@backstage/backend-plugin-api';
import {
  clusterNodeHealth,
  ClusterNodeHealth,
  ClusterStatus,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { V1Node, V1Pod } from '@kubernetes/client-node';
import {
  ClusterConnection,
  optionalPermissionOf,
  RESOURCES,
  ShipyardCluster,
  ShipyardClustersService,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import {
  bookmarkSilenceMs,
  CacheOptions,
  livenessIntervalMs,
} from '../options';
import { Informer } from './Informer';
import { LivenessProbe } from './LivenessProbe';
import { ObjectIndex } from './ObjectIndex';
import { SyncStatus } from './SyncStatus';

/**
 * One cluster's watch cache, wired from its parts: the connection, an
 * informer loop per kind, the index they fill, the sync status they
 * report to, and the liveness probe that confirms (or closes) the
 * connection. Readers use the index and the status directly.
 */
export class ClusterCache {
  readonly connection: ClusterConnection;
  readonly index: ObjectIndex;
  readonly sync: SyncStatus;
  private readonly informers: Informer[];
  private readonly liveness: LivenessProbe;
  /** Names the teams of the services on a sick node. */
  private readonly tenancy: CacheOptions['tenancy'];

  constructor(
    readonly cluster: ShipyardCluster,
    clusters: ShipyardClustersService,
    options: CacheOptions,
    logger: LoggerService,
  ) {
    this.tenancy = options.tenancy;
    this.connection = new ClusterConnection(
      cluster,
      clusters,
      options.requestTimeoutMs,
    );
    this.index = new ObjectIndex(
      options.maxObjectsPerNamespace,
      (kind, namespace) =>
        logger.warn(
          `namespace ${namespace} has more ${kind}s than the cache holds per namespace (deploymentHealth.maxObjectsPerNamespace: ${options.maxObjectsPerNamespace}); the rest are left out`,
        ),
    );
    this.sync = new SyncStatus(
      cluster,
      RESOURCES.map(r => r.kind),
      options.staleAfterMs,
      bookmarkSilenceMs(options),
      logger,
      new Map(
        RESOURCES.flatMap(r => {
          const permission = optionalPermissionOf(r);
          return permission ? [[r.kind, permission] as const] : [];
        }),
      ),
    );
    this.informers = RESOURCES.map(
      r => new Informer(r, this.connection, this.index, this.sync, options),
    );
    this.liveness = new LivenessProbe(
      this.connection,
      this.informers,
      this.sync,
      livenessIntervalMs(options),
    );
  }

  start() {
    if (this.cluster.configError) return;
    for (const i of this.informers) i.start();
    this.liveness.start();
  }

  stop() {
    for (const i of this.informers) i.stop();
    this.liveness.stop();
  }

  /**
   * The cache's sync state; with `health`, also the cluster's own health
   * from its nodes (for callers who may read cluster details).
   */
  status(now = Date.now(), options: { health?: boolean } = {}): ClusterStatus {
    const status = this.sync.status(now, this.index.counts());
    return options.health ? { ...status, health: this.health(now) } : status;
  }

  /** The cluster's health from the cached Nodes (see clusterNodeHealth). */
  health(now = Date.now()): ClusterNodeHealth {
    return clusterNodeHealth(
      this.cluster.name,
      {
        nodes: this.sync.isSynced('Node')
          ? (this.index.all('nodes') as V1Node[])
          : undefined,
        pods: this.index.all('pods') as V1Pod[],
        controlPlaneVersion: this.liveness.serverVersion,
        tenancy: this.tenancy,
        nodesForbidden: this.sync.isForbidden('Node'),
        error: this.sync.error(now),
        syncing: !this.sync.synced,
      },
      { now: new Date(now) },
    );
  }
}
