import {
  ClusterError,
  ServiceObjects,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  KubernetesListObject,
  KubernetesObject,
} from '@kubernetes/client-node';
import { ClusterCache, RESOURCES } from './ClusterCache';
import { classifyError } from './kubeHttp';
import { sanitize } from './sanitize';

export interface OnDemandResult {
  objects: ServiceObjects;
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
    cache: ClusterCache,
    labelSelector: string,
    namespace?: string,
  ): Promise<OnDemandResult> {
    const key = `${cache.cluster.name}\n${namespace ?? ''}\n${labelSelector}`;
    const hit = this.results.get(key);
    if (hit) return hit;
    const p = this.fetch(cache, labelSelector, namespace);
    this.results.set(key, p);
    if (this.results.size > this.maxEntries) {
      this.results.delete(this.results.keys().next().value!);
    }
    setTimeout(() => this.results.delete(key), this.ttlMs).unref();
    return p;
  }

  private async fetch(
    cache: ClusterCache,
    labelSelector: string,
    namespace?: string,
  ): Promise<OnDemandResult> {
    const fetchedAt = Date.now();
    const since = new Date(fetchedAt).toISOString();
    const misconfigured = (message: string): OnDemandResult => ({
      objects: {},
      truncated: false,
      fetchedAt,
      error: { type: 'misconfigured', message, since },
    });
    if (labelSelector.length > 1024 || /[\r\n]/.test(labelSelector))
      return misconfigured('invalid label selector annotation');
    if (
      namespace !== undefined &&
      (namespace.length > 63 || !NAMESPACE.test(namespace))
    )
      return misconfigured('invalid namespace annotation');
    try {
      await cache.refreshConnection();
      const http = cache.http();
      let truncated = false;
      const objects: Record<string, KubernetesObject[]> = {};
      await Promise.all(
        RESOURCES.filter(r => r.kind !== 'Event').map(async r => {
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
          objects[r.key] = (list.items ?? []).map(o =>
            sanitize({ ...o, kind: r.kind }),
          );
        }),
      );
      const uids = Object.values(objects)
        .flat()
        .map(o => o.metadata?.uid ?? '');
      objects.events = cache.eventsFor(uids);
      return { objects: objects as ServiceObjects, truncated, fetchedAt };
    } catch (e) {
      const err = classifyError(e);
      return {
        objects: {},
        truncated: false,
        fetchedAt,
        error: {
          type: err.statusCode === 400 ? 'misconfigured' : err.type,
          message:
            err.statusCode === 400
              ? 'the API server rejected the label selector'
              : err.message,
          ...(err.statusCode ? { statusCode: err.statusCode } : {}),
          since,
        },
      };
    }
  }
}
