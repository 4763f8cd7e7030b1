import {
  ClusterConnection,
  readServiceObjects,
  ServiceObjectsResult,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';

/**
 * Entities with a custom `backstage.io/kubernetes-label-selector` may select
 * objects the watch cache does not hold (no kubernetes-id label). They get a
 * bounded query instead (readServiceObjects, without events: the caller
 * joins them from its index), its results shared for a few seconds (also
 * between concurrent requests) so that page views cannot fan out to the API
 * server.
 */
export class OnDemandQuery {
  private readonly results = new Map<string, Promise<ServiceObjectsResult>>();

  constructor(
    private readonly maxObjects: number,
    private readonly ttlMs: number,
    private readonly maxEntries = 500,
  ) {}

  query(
    connection: ClusterConnection,
    labelSelector: string,
    namespace?: string,
  ): Promise<ServiceObjectsResult> {
    const key = `${connection.cluster.name}\n${
      namespace ?? ''
    }\n${labelSelector}`;
    const hit = this.results.get(key);
    if (hit) return hit;
    const p = readServiceObjects(connection, {
      labelSelector,
      namespace,
      limit: this.maxObjects,
    });
    this.results.set(key, p);
    if (this.results.size > this.maxEntries) {
      this.results.delete(this.results.keys().next().value!);
    }
    setTimeout(() => this.results.delete(key), this.ttlMs).unref();
    return p;
  }
}
