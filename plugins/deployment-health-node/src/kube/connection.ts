import { ShipyardCluster } from '../config/clusterDefinition';
import { ShipyardClustersService } from '../ShipyardClustersService';
import { KubeRequestError } from './errors';
import { KubeHttp } from './kubeHttp';

/**
 * One cluster's API client: its credentials and hard request timeouts.
 *
 * @public
 */
export class ClusterConnection {
  private client?: KubeHttp;
  private createdAt = 0;
  private closer = new AbortController();

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
      this.client = new KubeHttp(kc, this.requestTimeoutMs, this.closer.signal);
      this.createdAt = Date.now();
    }
    return this.client;
  }

  /**
   * Ends every request in flight, watches included, with `reason`, and makes
   * the next {@link ClusterConnection.http} start afresh. For when the
   * cluster stopped answering while its sockets stay open (a frozen API
   * server, a path that drops packets): nothing on those sockets would
   * ever fail on its own, so whoever found out closes them, as client-go
   * does when an HTTP/2 ping goes unanswered.
   */
  close(reason: KubeRequestError) {
    this.closer.abort(reason);
    this.closer = new AbortController();
    this.client = undefined;
  }
}
