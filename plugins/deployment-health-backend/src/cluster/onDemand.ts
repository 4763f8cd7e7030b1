import { ClusterError } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  KubernetesListObject,
  KubernetesObject,
} from '@kubernetes/client-node';
import { ClusterConnection } from './connection';
import { classifyError } from './kubeHttp';
import { LABELLED, toCached } from './resources';

export interface OnDemandResult {
  /** Per kind (without events: the caller joins them from its index). */
  objects: Record<string, KubernetesObject[]>;
  truncated: boolean;
  error?: ClusterError;
  fetchedAt: number;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Entities with a custom `backstage.io/kubernetes-label-selector` may select
 * objects the watch cache does not hold (no kubernetes-id label). They get a
 * bounded query instead: one list per kind with `limit`, under the request
 * timeout, results shared for a few seconds (also between concurrent
 * requests) so that page views cannot fan out to the API server.
 */
export class OnDemandQuery {
  private readonly results = new Map<string, Promise<OnDemandResult>>();

  constructor(
    private readonly maxObjects: number,
    private readonly ttlMs: number,
    private readonly maxEntries = 500,
  ) {}

  query(
    connection: ClusterConnection,
    labelSelector: string,
    namespace?: string,
  ): Promise<OnDemandResult> {
    const key = `${connection.cluster.name}\n${
      namespace ?? ''
    }\n${labelSelector}`;
    const hit = this.results.get(key);
    if (hit) return hit;
    const p = this.fetch(connection, labelSelector, namespace);
    this.results.set(key, p);
    if (this.results.size > this.maxEntries) {
      this.results.delete(this.results.keys().next().value!);
    }
    setTimeout(() => this.results.delete(key), this.ttlMs).unref();
    return p;
  }

  private async fetch(
    connection: ClusterConnection,
    labelSelector: string,
    namespace?: string,
  ): Promise<OnDemandResult> {
    const fetchedAt = Date.now();
    const since = new Date(fetchedAt).toISOString();
    const failed = (error: Omit<ClusterError, 'since'>): OnDemandResult => ({
      objects: {},
      truncated: false,
      fetchedAt,
      error: { ...error, since },
    });
    const misconfigured = (message: string) =>
      failed({ type: 'misconfigured', message });
    if (labelSelector.length > 1024 || /[\r\n]/.test(labelSelector))
      return misconfigured('invalid label selector annotation');
    if (
      namespace !== undefined &&
      (namespace.length > 63 || !NAMESPACE.test(namespace))
    )
      return misconfigured('invalid namespace annotation');
    try {
      const http = await connection.http();
      let truncated = false;
      const objects: Record<string, KubernetesObject[]> = {};
      await Promise.all(
        LABELLED.map(async r => {
          // /apis/apps/v1/deployments -> /apis/apps/v1/namespaces/<ns>/deployments
          const path = namespace
            ? r.path.replace(/\/([a-z]+)$/, `/namespaces/${namespace}/$1`)
            : r.path;
          const list = await http.getJson<
            KubernetesListObject<KubernetesObject>
          >(path, {
            labelSelector,
            limit: this.maxObjects,
          });
          if (list.metadata?._continue) truncated = true;
          objects[r.key] = (list.items ?? []).map(o => toCached(r, o)!);
        }),
      );
      return { objects, truncated, fetchedAt };
    } catch (e) {
      const err = classifyError(e);
      // The one request error the entity's own annotation causes.
      if (err.statusCode === 400)
        return failed({
          type: 'misconfigured',
          message: 'the API server rejected the label selector',
          statusCode: 400,
        });
      return failed({
        type: err.type,
        message: err.message,
        ...(err.statusCode ? { statusCode: err.statusCode } : {}),
      });
    }
  }
}
