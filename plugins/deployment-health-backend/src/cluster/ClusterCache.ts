import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterError,
  ClusterStatus,
  KUBERNETES_ID_LABEL,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import type { ServiceObjects } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  ShipyardCluster,
  ShipyardClustersService,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import {
  CoreV1Event,
  KubernetesListObject,
  KubernetesObject,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';
import { classifyError, KubeHttp, KubeRequestError } from './kubeHttp';
import { sanitize } from './sanitize';
import { CacheOptions } from '../options';

/** What the cache watches. Secrets are never read. */
export const RESOURCES = [
  { kind: 'Deployment', key: 'deployments', path: '/apis/apps/v1/deployments' },
  {
    kind: 'StatefulSet',
    key: 'statefulSets',
    path: '/apis/apps/v1/statefulsets',
  },
  { kind: 'DaemonSet', key: 'daemonSets', path: '/apis/apps/v1/daemonsets' },
  { kind: 'ReplicaSet', key: 'replicaSets', path: '/apis/apps/v1/replicasets' },
  { kind: 'Pod', key: 'pods', path: '/api/v1/pods' },
  {
    kind: 'HorizontalPodAutoscaler',
    key: 'hpas',
    path: '/apis/autoscaling/v2/horizontalpodautoscalers',
  },
  // Events carry no labels: watch all Warning events and keep those about
  // object kinds we track; they are joined to services by involvedObject.uid.
  {
    kind: 'Event',
    key: 'events',
    path: '/api/v1/events',
    fieldSelector: 'type=Warning',
  },
] as const;

type Resource = (typeof RESOURCES)[number];
type ObjectKey = Exclude<Resource['key'], 'events'>;
const TRACKED_KINDS = new Set<string>(
  RESOURCES.map(r => r.kind).filter(k => k !== 'Event'),
);

/** One informer (list+watch) and its connection state. */
class ResourceWatch {
  state: 'idle' | 'listing' | 'watching' | 'error' | 'stopped' = 'idle';
  error?: KubeRequestError;
  errorSince?: number;
  /** Last time this resource was known to be in sync (list done, or watch open). */
  lastOkAt?: number;
  /** When the open watch last sent anything: an event or a bookmark. */
  private lastHeardAt = 0;
  /**
   * The API server sends a bookmark about every minute on a watch that asks
   * for them, so silence longer than that means a dead connection the socket
   * has not noticed. Servers (or proxies) that never send bookmarks get the
   * benefit of the doubt: an open watch counts as in sync.
   */
  private sendsBookmarks = false;
  lastListAt = 0;
  synced = false;
  /**
   * Set by a failed list/watch/connection, cleared by a successful list. The
   * informer would otherwise resume watching from its last resourceVersion,
   * and a cluster that came back with new storage (recreated) never sends
   * events below that version: its old objects would stay cached.
   */
  relistNeeded = false;
  backoffMs: number;
  retryTimer?: NodeJS.Timeout;
  readonly informer: ListWatch<KubernetesObject>;

  constructor(
    readonly resource: Resource,
    private readonly owner: ClusterCache,
  ) {
    const opts = owner.options;
    this.backoffMs = opts.initialBackoffMs;
    // client-node's informer keeps the object store and emits add/update/
    // delete (including on relist after 410 Gone); we give it a list
    // function and a watch with hard timeouts (see KubeHttp).
    const watch = {
      watch: async (
        path: string,
        params: Record<string, string>,
        cb: (phase: string, obj: any, w: any) => void,
        done: (err: any) => void,
      ) => {
        // A list that was in flight during stop() must not open a new watch.
        if (this.state === 'stopped') return { abort() {} };
        // Reconnecting after an error: answer as if the resourceVersion
        // expired (410), so the informer relists and the fresh list replaces
        // the cached objects instead of resuming from a version the (maybe
        // recreated) cluster does not know. Async: the informer stores the
        // returned handle before it may handle `done`.
        if (this.relistNeeded) {
          setImmediate(() => done({ statusCode: 410 }));
          return { abort() {} };
        }
        const timeoutSeconds = Math.round(
          opts.watchTimeoutSeconds * (0.9 + Math.random() * 0.2),
        );
        return owner
          .http()
          .watch(
            path,
            { ...params, allowWatchBookmarks: 'true', timeoutSeconds },
            timeoutSeconds * 1000 + opts.requestTimeoutMs,
            {
              onOpen: () => {
                this.lastHeardAt = Date.now();
                this.ok('watching');
              },
              onEvent: ev => {
                this.lastHeardAt = Date.now();
                if (ev?.type === 'BOOKMARK') this.sendsBookmarks = true;
                if (!ev?.object) return;
                if (
                  ev.type === 'ADDED' ||
                  ev.type === 'MODIFIED' ||
                  ev.type === 'DELETED'
                ) {
                  if (!this.keep(ev.object)) return;
                  ev.object.kind = resource.kind;
                  sanitize(ev.object);
                }
                cb(ev.type, ev.object, ev);
              },
              onDone: err => {
                // The server closed the watch normally: resume from the last
                // resourceVersion, unless a resync is due; then answer as if
                // the resourceVersion expired (410): the informer relists and
                // drops anything it missed. An error goes to the informer's
                // 'error' handler (failed()), and the retry relists.
                if (
                  !err &&
                  Date.now() - this.lastListAt > opts.resyncIntervalMs
                ) {
                  done({ statusCode: 410 });
                } else {
                  done(err);
                }
              },
            },
          );
      },
    } as unknown as Watch;
    this.informer = new ListWatch(
      resource.path,
      watch,
      () => this.list(),
      false,
      resource.kind === 'Event' ? undefined : KUBERNETES_ID_LABEL,
      'fieldSelector' in resource ? resource.fieldSelector : undefined,
    );
    this.informer.on('error', err => this.failed(err));
  }

  private keep(obj: any): boolean {
    return (
      this.resource.kind !== 'Event' ||
      TRACKED_KINDS.has(obj?.involvedObject?.kind)
    );
  }

  private async list(): Promise<KubernetesListObject<KubernetesObject>> {
    this.leave('listing');
    const http = this.owner.http();
    const items: KubernetesObject[] = [];
    let resourceVersion = '';
    let cont: string | undefined;
    // Paginate so a large cluster does not produce one huge response.
    do {
      const page = await http.getJson<KubernetesListObject<KubernetesObject>>(
        this.resource.path,
        {
          labelSelector:
            this.resource.kind === 'Event' ? undefined : KUBERNETES_ID_LABEL,
          fieldSelector:
            'fieldSelector' in this.resource
              ? this.resource.fieldSelector
              : undefined,
          limit: 500,
          continue: cont,
        },
      );
      if (!resourceVersion)
        resourceVersion = page.metadata?.resourceVersion ?? '';
      for (const item of page.items ?? []) {
        if (!this.keep(item)) continue;
        item.kind = this.resource.kind;
        this.forgetIfReplaced(item);
        items.push(sanitize(item));
      }
      cont = page.metadata?._continue;
    } while (cont);
    this.lastListAt = Date.now();
    this.synced = true;
    this.relistNeeded = false;
    this.ok('watching');
    return {
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion },
      items,
    };
  }

  private ok(state: 'watching') {
    this.state = state;
    this.lastOkAt = Date.now();
    this.error = undefined;
    this.owner.noteRecovered();
    this.errorSince = undefined;
    this.backoffMs = this.owner.options.initialBackoffMs;
  }

  /**
   * A recreated cluster starts its resourceVersions over, so an object
   * recreated under the same name can carry the very resourceVersion of the
   * cached one, and the informer would skip it as unchanged (keeping, say, a
   * ReplicaSet whose uid the new pods do not reference). Another uid is
   * another object: make the cached copy compare as changed.
   */
  private forgetIfReplaced(item: KubernetesObject) {
    const cached = this.informer.get(
      item.metadata?.name ?? '',
      item.metadata?.namespace,
    );
    if (cached?.metadata && cached.metadata.uid !== item.metadata?.uid)
      delete cached.metadata.resourceVersion;
  }

  /** Until when the data is known to be in sync (now while a live watch is open). */
  inSyncAt(now: number): number | undefined {
    if (this.state !== 'watching') return this.lastOkAt;
    return this.sendsBookmarks ? this.lastHeardAt : now;
  }

  /** An open watch kept the data in sync up to the moment it ends. */
  private leave(next: 'listing' | 'error') {
    if (this.state === 'watching') this.lastOkAt = this.inSyncAt(Date.now());
    this.state = next;
  }

  private failed(err: unknown) {
    if (this.state === 'stopped') return;
    const e = classifyError(err);
    this.owner.noteError(this.resource.kind, e, this.backoffMs);
    // Since the first failure: a retry moves the state to 'listing', but the
    // error stays until ok() clears it.
    if (!this.error) this.errorSince = Date.now();
    this.leave('error');
    this.error = e;
    this.relistNeeded = true;
    const delay = this.backoffMs * (0.8 + Math.random() * 0.4);
    this.backoffMs = Math.min(
      this.backoffMs * 2,
      this.owner.options.maxBackoffMs,
    );
    this.retryTimer = setTimeout(() => this.start(), delay);
  }

  async start() {
    if (this.state === 'stopped') return;
    try {
      await this.owner.refreshConnection();
    } catch (e) {
      this.failed(e);
      return;
    }
    // start() resolves when the list is done (or failed, via 'error').
    await this.informer.start().catch(e => this.failed(e));
  }

  async stop() {
    this.state = 'stopped';
    clearTimeout(this.retryTimer);
    await this.informer.stop();
  }
}

/**
 * One cluster's watch cache: an informer per resource type, an index from
 * `backstage.io/kubernetes-id` to objects, and events indexed by the uid of
 * the object they are about. Page views read only from here.
 */
export class ClusterCache {
  private readonly watches: ResourceWatch[];
  private httpClient?: KubeHttp;
  private httpCreatedAt = 0;
  private readonly byId = new Map<
    ObjectKey,
    Map<string, Map<string, KubernetesObject>>
  >();
  private readonly idOf = new Map<string, string>();
  private readonly eventsByObject = new Map<string, Map<string, CoreV1Event>>();
  private readonly startedAt = Date.now();
  /** Per kubernetes-id change counters; let callers memoize derived health per service. */
  private readonly idVersions = new Map<string, number>();

  constructor(
    readonly cluster: ShipyardCluster,
    private readonly clusters: ShipyardClustersService,
    readonly options: CacheOptions,
    readonly logger: LoggerService,
  ) {
    this.watches = RESOURCES.map(r => new ResourceWatch(r, this));
    for (const w of this.watches) this.index(w);
  }

  private index(w: ResourceWatch) {
    const { key } = w.resource;
    // The informer's store is keyed by namespace/name, so an 'update' may
    // carry a new uid (an object recreated under the same name, e.g. in a
    // recreated cluster, seen by a relist) or an event may now be about
    // another object: remember where each name is indexed, so the old entry
    // is replaced rather than kept beside the new one.
    const nameOf = (o: KubernetesObject) =>
      `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    if (key === 'events') {
      const objectUidByName = new Map<string, string>();
      const removeEvent = (e: CoreV1Event) => {
        const name = nameOf(e);
        const objectUid = objectUidByName.get(name);
        if (objectUid === undefined) return;
        objectUidByName.delete(name);
        this.bump(this.idOf.get(objectUid));
        const m = this.eventsByObject.get(objectUid);
        m?.delete(name);
        if (m && m.size === 0) this.eventsByObject.delete(objectUid);
      };
      const upsertEvent = (e: CoreV1Event) => {
        removeEvent(e);
        const objectUid = e.involvedObject?.uid ?? '';
        objectUidByName.set(nameOf(e), objectUid);
        let m = this.eventsByObject.get(objectUid);
        if (!m) this.eventsByObject.set(objectUid, (m = new Map()));
        m.set(nameOf(e), e);
        this.bump(this.idOf.get(objectUid));
      };
      w.informer.on('add', e => upsertEvent(e as CoreV1Event));
      w.informer.on('update', e => upsertEvent(e as CoreV1Event));
      w.informer.on('delete', e => removeEvent(e as CoreV1Event));
      return;
    }
    const byId = new Map<string, Map<string, KubernetesObject>>();
    this.byId.set(key, byId);
    const uidByName = new Map<string, string>();
    const remove = (o: KubernetesObject) => {
      const name = nameOf(o);
      const uid = uidByName.get(name);
      if (uid === undefined) return;
      uidByName.delete(name);
      const old = this.idOf.get(uid);
      this.idOf.delete(uid);
      if (old === undefined) return;
      this.bump(old);
      const m = byId.get(old);
      m?.delete(uid);
      if (m && m.size === 0) byId.delete(old);
    };
    const upsert = (o: KubernetesObject) => {
      remove(o); // the label or the uid may have changed
      const id = o.metadata?.labels?.[KUBERNETES_ID_LABEL];
      if (!id) return;
      const uid = o.metadata?.uid ?? nameOf(o);
      let m = byId.get(id);
      if (!m) byId.set(id, (m = new Map()));
      m.set(uid, o);
      uidByName.set(nameOf(o), uid);
      this.idOf.set(uid, id);
      this.bump(id);
    };
    w.informer.on('add', upsert);
    w.informer.on('update', upsert);
    w.informer.on('delete', remove);
  }

  private loggedError?: string;

  /**
   * One log line per cluster and distinct error (not one per resource type
   * and retry), and one when every watch has recovered. Messages are the
   * classified, credential-free ones.
   */
  noteError(kind: string, e: KubeRequestError, backoffMs: number) {
    const key = `${e.type}: ${e.message}`;
    if (this.loggedError === key) return;
    this.loggedError = key;
    this.logger.warn(
      `list/watch failed (${kind} first): ${key}; retrying with backoff from ${Math.round(
        backoffMs / 1000,
      )}s`,
    );
  }

  noteRecovered() {
    if (this.loggedError && this.watches.every(w => !w.error)) {
      this.loggedError = undefined;
      this.logger.info('list/watch recovered');
    }
  }

  private bump(id: string | undefined) {
    if (id !== undefined)
      this.idVersions.set(id, (this.idVersions.get(id) ?? 0) + 1);
  }

  /** Changes whenever an object (or event) of this kubernetes-id changes. */
  versionOf(kubernetesId: string): number {
    return this.idVersions.get(kubernetesId) ?? 0;
  }

  /** The current client; informers call this for every list and watch. */
  http(): KubeHttp {
    if (!this.httpClient)
      throw new KubeRequestError('misconfigured', 'not connected');
    return this.httpClient;
  }

  /**
   * Re-reads config files (token, CA) at most every few seconds, so a
   * reconnect after an error picks up a rotated token or a restarted
   * local cluster's new CA.
   */
  async refreshConnection(): Promise<void> {
    if (this.httpClient && Date.now() - this.httpCreatedAt < 5_000) return;
    const kc = await this.clusters.getKubeConfig(this.cluster.name);
    this.httpClient = new KubeHttp(kc, this.options.requestTimeoutMs);
    this.httpCreatedAt = Date.now();
  }

  start() {
    if (this.cluster.configError) return;
    for (const w of this.watches) void w.start();
  }

  async stop() {
    await Promise.all(this.watches.map(w => w.stop()));
  }

  /** Objects labelled with this kubernetes-id, optionally in one namespace. */
  objectsFor(kubernetesId: string, namespace?: string): ServiceObjects {
    const result: Record<string, KubernetesObject[]> = {};
    const uids = new Set<string>();
    for (const [key, byId] of this.byId) {
      const list = [...(byId.get(kubernetesId)?.values() ?? [])].filter(
        o => !namespace || o.metadata?.namespace === namespace,
      );
      list.forEach(o => o.metadata?.uid && uids.add(o.metadata.uid));
      result[key] = list;
    }
    result.events = this.eventsFor(uids);
    return result as ServiceObjects;
  }

  /** Warning events about any of these object uids. */
  eventsFor(uids: Iterable<string>): CoreV1Event[] {
    const out: CoreV1Event[] = [];
    for (const uid of uids) {
      const m = this.eventsByObject.get(uid);
      if (m) out.push(...m.values());
    }
    return out;
  }

  /** True once every resource type has been listed at least once. */
  get synced(): boolean {
    return this.watches.every(w => w.synced);
  }

  /** A safe error describing why data may be missing or old, if any. */
  error(now = Date.now()): ClusterError | undefined {
    if (this.cluster.configError) {
      return {
        type: 'misconfigured',
        message: this.cluster.configError,
        since: new Date(this.startedAt).toISOString(),
      };
    }
    // Not only watches in state 'error': a retry switches the state to
    // 'listing', and a cluster that never answers must not flip between its
    // error and "syncing". The error stays until a successful list or an
    // open watch clears it (ok()).
    const failing = this.watches.filter(w => w.error);
    if (failing.length > 0) {
      const w = failing[0];
      const last = this.lastSyncedAt(now);
      // Cached data stays in the report; say how old it is once that matters.
      const age =
        this.synced &&
        last !== undefined &&
        now - last > this.options.staleAfterMs
          ? `; cached data is ${Math.round((now - last) / 1000)}s old`
          : '';
      return {
        type: w.error!.type,
        message: `${
          failing.length === this.watches.length
            ? w.error!.message
            : `${w.error!.message} (${failing
                .map(f => f.resource.kind)
                .join(', ')})`
        }${age}`,
        ...(w.error!.statusCode ? { statusCode: w.error!.statusCode } : {}),
        since: new Date(
          Math.min(...failing.map(f => f.errorSince ?? now)),
        ).toISOString(),
      };
    }
    const last = this.lastSyncedAt(now);
    if (
      this.synced &&
      last !== undefined &&
      now - last > this.options.staleAfterMs
    ) {
      return {
        type: 'stale',
        message: `no contact with the API server for ${Math.round(
          (now - last) / 1000,
        )}s`,
        since: new Date(last).toISOString(),
      };
    }
    return undefined;
  }

  /** Oldest "known in sync" time over all resource types. */
  lastSyncedAt(now = Date.now()): number | undefined {
    let min: number | undefined;
    for (const w of this.watches) {
      const t = w.inSyncAt(now);
      if (t === undefined) return undefined;
      min = min === undefined ? t : Math.min(min, t);
    }
    return min;
  }

  status(now = Date.now()): ClusterStatus {
    const error = this.error(now);
    const last = this.lastSyncedAt(now);
    const objectCounts: Record<string, number> = {};
    for (const w of this.watches)
      objectCounts[w.resource.kind] = w.informer.list().length;
    let state: ClusterStatus['state'] = this.synced ? 'ok' : 'syncing';
    if (error) state = 'error';
    return {
      name: this.cluster.name,
      ...(this.cluster.title ? { title: this.cluster.title } : {}),
      environment: this.cluster.environment,
      state,
      ...(error ? { error } : {}),
      ...(last !== undefined
        ? { lastSyncedAt: new Date(last).toISOString() }
        : {}),
      objectCounts,
    };
  }
}
