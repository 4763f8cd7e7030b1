import { LoggerService } from '@backstage/backend-plugin-api';
import { ClusterStatus } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  ClusterConnection,
  RESOURCES,
  ShipyardCluster,
  ShipyardClustersService,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { CacheOptions } from '../options';
import { Informer } from './Informer';
import { ObjectIndex } from './ObjectIndex';
import { SyncStatus } from './SyncStatus';

/**
 * One cluster's watch cache, wired from its parts: the connection, an
 * informer loop per kind, the index they fill, and the sync status they
 * report to. Readers use the index and the status directly.
 */
export class ClusterCache {
  readonly connection: ClusterConnection;
  readonly index: ObjectIndex;
  readonly sync: SyncStatus;
  private readonly informers: Informer[];

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
      logger,
    );
    this.informers = RESOURCES.map(
      r => new Informer(r, this.connection, this.index, this.sync, options),
    );
  }

  start() {
    if (this.cluster.configError) return;
    for (const i of this.informers) i.start();
  }

  stop() {
    for (const i of this.informers) i.stop();
  }

  status(now = Date.now()): ClusterStatus {
    return this.sync.status(now, this.index.counts());
  }
}
