import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ShipyardCluster,
  ShipyardClustersService,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { CacheOptions } from '../options';
import { ClusterCache } from './ClusterCache';
import { IndexChange } from './ObjectIndex';

/** A change of a service's objects in one cluster's cache. */
export interface ClusterChange extends IndexChange {
  cluster: string;
}

/** How often the cluster list is compared with the running caches. */
export const CLUSTER_LIST_INTERVAL_MS = 5_000;

const same = (a: ShipyardCluster, b: ShipyardCluster) =>
  JSON.stringify(a) === JSON.stringify(b);

/**
 * One watch cache per cluster the clusters service lists, kept in step with
 * that list: catalog clusters come and go without a restart, so the list is
 * compared every few seconds; a new cluster gets a cache that starts
 * watching, a removed one's cache stops, a changed one's is replaced.
 *
 * `list` is the one array readers hold: it is changed in place.
 */
export class ClusterCaches {
  readonly list: ClusterCache[] = [];
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly listeners = new Set<(change: ClusterChange) => void>();

  constructor(
    private readonly clusters: ShipyardClustersService,
    private readonly options: CacheOptions,
    private readonly logger: LoggerService,
  ) {}

  /** Makes the list match `clusters`; new caches start watching once started. */
  sync(clusters: ShipyardCluster[]) {
    const wanted = new Map(clusters.map(c => [c.name, c]));
    for (let i = this.list.length - 1; i >= 0; i--) {
      const cache = this.list[i];
      const now = wanted.get(cache.cluster.name);
      if (now && same(now, cache.cluster)) {
        wanted.delete(cache.cluster.name);
      } else {
        cache.stop();
        this.list.splice(i, 1);
      }
    }
    for (const cluster of wanted.values()) {
      const cache = new ClusterCache(
        cluster,
        this.clusters,
        this.options,
        this.logger.child({ cluster: cluster.name }),
      );
      cache.index.onChange(change => {
        for (const listener of this.listeners)
          listener({ ...change, cluster: cluster.name });
      });
      this.list.push(cache);
      if (this.running) cache.start();
    }
  }

  /**
   * Tells `listener` of every change of a service's objects in any cache,
   * present or future; returns the unsubscribe.
   */
  onChange(listener: (change: ClusterChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts a watch per listed cluster, then follows the list. */
  async start() {
    this.running = true;
    await this.refresh();
    this.timer = setTimeout(this.tick, CLUSTER_LIST_INTERVAL_MS);
  }

  private readonly tick = async () => {
    await this.refresh();
    if (this.running)
      this.timer = setTimeout(this.tick, CLUSTER_LIST_INTERVAL_MS);
  };

  private async refresh() {
    try {
      const clusters = await this.clusters.listClusters();
      if (this.running) this.sync(clusters); // not after stop()
    } catch (e) {
      this.logger.warn(`Cannot list clusters: ${(e as Error).name}`);
    }
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
    for (const c of this.list) c.stop();
  }
}
