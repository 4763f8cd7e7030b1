import { ShipyardCluster } from '../clusterConfig';
import { ShipyardClustersService } from '../ShipyardClustersService';
import { KubeHttp } from './kubeHttp';

/**
 * One cluster's API client: its credentials and hard request timeouts.
 *
 * @public
 */
export class ClusterConnection {
  private client?: KubeHttp;
  private createdAt = 0;

  constructor(
    /** The configured cluster this connection reaches. */
    readonly cluster: ShipyardCluster,
    private readonly clusters: ShipyardClustersService,
    private readonly requestTimeoutMs: number,
  ) {}

  /**
   * Re-reads config files (token, CA) at most every few seconds, so a
   * reconnect after an error picks up a rotated token or a restarted
   * local cluster's new CA.
   */
  async http(): Promise<KubeHttp> {
    if (!this.client || Date.now() - this.createdAt >= 5_000) {
      const kc = await this.clusters.getKubeConfig(this.cluster.name);
      this.client = new KubeHttp(kc, this.requestTimeoutMs);
      this.createdAt = Date.now();
    }
    return this.client;
  }
}
