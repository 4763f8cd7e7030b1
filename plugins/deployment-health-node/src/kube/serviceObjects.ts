import {
  ClusterError,
  ServiceObjects,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  CoreV1Event,
  KubernetesListObject,
  KubernetesObject,
} from '@kubernetes/client-node';
import { ClusterConnection } from './connection';
import { classifyError, KubeQuery } from './kubeHttp';
import { LABELLED, RESOURCES, Resource, toCached } from './resources';

/** What {@link readServiceObjects} reads. @public */
export interface ServiceObjectsQuery {
  /** Selects the service's objects, e.g. `backstage.io/kubernetes-id=payments-api`. */
  labelSelector: string;
  /** Only this namespace (default: all namespaces). */
  namespace?: string;
  /** The list `limit` per kind (and per namespace for events); more objects set `truncated`. */
  limit: number;
  /**
   * Also the Warning events about the objects found (listed in their
   * namespaces only). Without it, `objects.events` is not set.
   */
  events?: boolean;
}

/** The result of {@link readServiceObjects}. @public */
export interface ServiceObjectsResult {
  /** Per kind, sanitised (no env values, no last-applied manifests). Empty on error. */
  objects: ServiceObjects;
  /** Some list hit its `limit`. */
  truncated: boolean;
  /** Why nothing was read; cluster errors are returned, never thrown. */
  error?: ClusterError;
  /** When the read started (ms since the epoch). */
  fetchedAt: number;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const EVENTS = RESOURCES.find(r => r.key === 'events')!;

/** /apis/apps/v1/deployments -> /apis/apps/v1/namespaces/<ns>/deployments */
const inNamespace = (path: string, namespace?: string) =>
  namespace ? path.replace(/\/([a-z]+)$/, `/namespaces/${namespace}/$1`) : path;

/**
 * Reads one service's objects in one cluster: one bounded list per kind by
 * label selector under the connection's request timeout, and optionally the
 * Warning events about them. The selector and namespace come from catalog
 * annotations, so they are checked first.
 *
 * @public
 */
export async function readServiceObjects(
  connection: ClusterConnection,
  query: ServiceObjectsQuery,
): Promise<ServiceObjectsResult> {
  const { labelSelector, namespace, limit } = query;
  const fetchedAt = Date.now();
  const since = new Date(fetchedAt).toISOString();
  const failed = (
    error: Omit<ClusterError, 'since'>,
  ): ServiceObjectsResult => ({
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
    const list = async (r: Resource, path: string, selector: KubeQuery) => {
      const page = await http.getJson<KubernetesListObject<KubernetesObject>>(
        path,
        { ...selector, limit },
      );
      if (page.metadata?._continue) truncated = true;
      return (page.items ?? []).flatMap(o => toCached(r, o) ?? []);
    };
    const objects: Record<string, KubernetesObject[]> = {};
    await Promise.all(
      LABELLED.map(async r => {
        objects[r.key] = await list(r, inNamespace(r.path, namespace), {
          labelSelector,
        });
      }),
    );
    if (query.events)
      objects.events = await eventsAbout(Object.values(objects).flat(), ns =>
        list(EVENTS, inNamespace(EVENTS.path, ns), EVENTS.selector),
      );
    return { objects: objects as ServiceObjects, truncated, fetchedAt };
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

/**
 * The Warning events about these objects: events carry no labels, so list
 * them in the objects' namespaces and keep those whose involvedObject is one
 * of the objects.
 */
async function eventsAbout(
  found: KubernetesObject[],
  listIn: (namespace: string) => Promise<KubernetesObject[]>,
): Promise<CoreV1Event[]> {
  const uids = new Set(found.flatMap(o => o.metadata?.uid ?? []));
  const namespaces = new Set(found.flatMap(o => o.metadata?.namespace ?? []));
  const lists = await Promise.all([...namespaces].map(listIn));
  return (lists.flat() as CoreV1Event[]).filter(e =>
    uids.has(e.involvedObject?.uid ?? ''),
  );
}
