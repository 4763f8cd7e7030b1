import { LoggerService } from '@backstage/backend-plugin-api';
import { ClusterStatus } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  ClusterConnection,
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

  constructor(
    readonly cluster: ShipyardCluster,
    clusters: ShipyardClustersService,
    options: CacheOptions,
    logger: LoggerService,
  ) {
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

  status(now = Date.now()): ClusterStatus {
    return this.sync.status(now, this.index.counts());
  }
}
