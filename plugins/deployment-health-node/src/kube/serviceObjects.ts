import {
  ClusterError,
  isSelectingRequirement,
  parseLabelSelector,
  ServiceObjects,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { CoreV1Event, KubernetesObject } from '@kubernetes/client-node';
import { ClusterConnection } from './connection';
import { classifyError } from './errors';
import { KubeQuery } from './kubeHttp';
import { LABELLED, RESOURCES, Resource, toCached } from './resources';

/** What {@link readServiceObjects} reads. @public */
export interface ServiceObjectsQuery {
  /** Selects the service's objects, e.g. `backstage.io/kubernetes-id=payments-api`. */
  labelSelector: string;
  /**
   * The namespaces to read in, one list per kind and namespace; never all
   * namespaces. Pass the entity's `match.namespaces` from
   * getEntityKubernetesMatch (-common): the owner team's namespaces, or the
   * one of them its namespace annotation names.
   */
  namespaces: readonly string[];
  /** The list `limit` per kind and namespace; more objects set `truncated`. */
  limit: number;
  /** Most objects kept over all kinds and namespaces (default: no cap besides `limit`); more set `truncated`. */
  maxObjects?: number;
  /**
   * Runs each list request: the backend passes its global budget of
   * concurrent lists. Default: run at once.
   */
  schedule?: <T>(list: () => Promise<T>) => Promise<T>;
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
const inNamespace = (path: string, namespace: string) =>
  path.replace(/\/([a-z]+)$/, `/namespaces/${namespace}/$1`);

/**
 * Reads one service's objects in one cluster: one bounded list per kind and
 * namespace by label selector under the connection's request timeout, and
 * optionally the Warning events about them. The selector and namespaces come
 * from catalog annotations, so they are checked first: a selector that only
 * excludes, or no namespace, reads nothing.
 *
 * @public
 */
export async function readServiceObjects(
  connection: ClusterConnection,
  query: ServiceObjectsQuery,
): Promise<ServiceObjectsResult> {
  const { labelSelector, limit } = query;
  const namespaces = [...new Set(query.namespaces ?? [])];
  const schedule = query.schedule ?? (<T>(list: () => Promise<T>) => list());
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
  const parsed = parseLabelSelector(labelSelector);
  if (/[\r\n]/.test(labelSelector) || 'error' in parsed)
    return misconfigured('invalid label selector annotation');
  if (!parsed.requirements.some(isSelectingRequirement))
    return misconfigured(
      'the label selector only excludes: it would select almost everything',
    );
  if (namespaces.length === 0)
    return misconfigured(
      'no namespace to read in: reads are never cluster-wide',
    );
  if (namespaces.some(ns => ns.length > 63 || !NAMESPACE.test(ns)))
    return misconfigured('invalid namespace annotation');
  try {
    const http = await connection.http();
    let truncated = false;
    const maxObjects = query.maxObjects ?? Infinity;
    let kept = 0;
    // Warning events are kept only when about one of the objects
    // (eventsAbout), so only the objects count against the query's budget.
    // After one list failed the result is the error: the lists still
    // waiting for their turn in `schedule` are not sent.
    let failure: unknown;
    const list = async (r: Resource, path: string, selector: KubeQuery) => {
      const page = await schedule(async () => {
        if (failure) throw failure;
        try {
          return await http.getListPage(path, {
            ...selector,
            limit: r.key === 'events' ? limit : Math.min(limit, maxObjects),
          });
        } catch (e) {
          // set before the list's turn ends, so no waiting list is sent
          failure ??= e;
          throw e;
        }
      });
      if (page.continueToken) truncated = true;
      const items = page.items.flatMap(o => toCached(r, o) ?? []);
      if (r.key === 'events') return items;
      // The objects budget of the whole query, however its lists interleave.
      const room = Math.max(0, maxObjects - kept);
      if (items.length > room) truncated = true;
      kept += Math.min(items.length, room);
      return items.slice(0, room);
    };
    const objects: Record<string, KubernetesObject[]> = {};
    await Promise.all(
      LABELLED.map(async r => {
        const lists = await Promise.all(
          namespaces.map(ns =>
            list(r, inNamespace(r.path, ns), { labelSelector }),
          ),
        );
        objects[r.key] = lists.flat();
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
