import {
  KubernetesListObject,
  KubernetesObject,
} from '@kubernetes/client-node';
import { CacheOptions } from '../options';
import { ClusterConnection } from './connection';
import { classifyError, KubeHttp } from './kubeHttp';
import { ObjectIndex } from './ObjectIndex';
import { Resource, toCached } from './resources';
import { SyncStatus } from './SyncStatus';

type LoopOptions = Pick<
  CacheOptions,
  | 'watchTimeoutSeconds'
  | 'requestTimeoutMs'
  | 'resyncIntervalMs'
  | 'initialBackoffMs'
  | 'maxBackoffMs'
>;

/**
 * The list+watch loop of one kind in one cluster: list (paginated), watch
 * from the list's resourceVersion, re-open the watch when the server ends
 * it, relist every resyncInterval and after any failure, and retry failures
 * with exponential backoff. Objects go to the index, progress to the sync
 * status; neither calls back. (Why not client-node's informer: README.)
 */
export class Informer {
  private stopped = false;
  private resourceVersion = '';
  /**
   * Set at the start, by a failed list/watch/connection, by an ERROR event
   * (e.g. 410 Gone) and when a resync is due; cleared by a successful list.
   * Resuming from the last resourceVersion after an error would keep the old
   * objects of a cluster that came back with new storage (recreated): it
   * never sends events below that version.
   */
  private relistNeeded = true;
  private lastListAt = 0;
  private backoffMs: number;
  private cancel = () => {};

  constructor(
    private readonly resource: Resource,
    private readonly connection: ClusterConnection,
    private readonly index: ObjectIndex,
    private readonly sync: SyncStatus,
    private readonly options: LoopOptions,
  ) {
    this.backoffMs = options.initialBackoffMs;
  }

  start() {
    void this.run();
  }

  /** Aborts the open watch or the backoff wait; a list in flight is dropped. */
  stop() {
    this.stopped = true;
    this.cancel();
  }

  private async run() {
    while (!this.stopped) {
      try {
        // A new client per (re)connection: see ClusterConnection.
        const http = await this.connection.http();
        while (!this.stopped) {
          if (this.relistNeeded) await this.list(http);
          if (!this.stopped) await this.watch(http);
          // The server closed the watch normally: resume from the last
          // resourceVersion, unless a resync is due (it heals missed events).
          if (Date.now() - this.lastListAt > this.options.resyncIntervalMs)
            this.relistNeeded = true;
        }
      } catch (e) {
        if (this.stopped) return;
        this.sync.failed(this.resource.kind, classifyError(e), this.backoffMs);
        this.relistNeeded = true;
        const delay = this.backoffMs * (0.8 + Math.random() * 0.4);
        this.backoffMs = Math.min(
          this.backoffMs * 2,
          this.options.maxBackoffMs,
        );
        await new Promise<void>(resolve => {
          const timer = setTimeout(resolve, delay);
          this.cancel = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  private async list(http: KubeHttp) {
    const { kind, key, path, selector } = this.resource;
    this.sync.listing(kind);
    const items: KubernetesObject[] = [];
    let resourceVersion = '';
    let cont: string | undefined;
    // Paginate so a large cluster does not produce one huge response.
    do {
      const page = await http.getJson<KubernetesListObject<KubernetesObject>>(
        path,
        { ...selector, limit: 500, continue: cont },
      );
      resourceVersion ||= page.metadata?.resourceVersion ?? '';
      for (const item of page.items ?? []) {
        const o = toCached(this.resource, item);
        if (o) items.push(o);
      }
      cont = page.metadata?._continue;
    } while (cont);
    if (this.stopped) return;
    this.index.replace(key, items);
    this.resourceVersion = resourceVersion;
    this.lastListAt = Date.now();
    this.relistNeeded = false;
    this.backoffMs = this.options.initialBackoffMs;
    this.sync.listed(kind);
  }

  /** One watch: resolves when the server ends it (or on stop), rejects on failure. */
  private async watch(http: KubeHttp) {
    const { kind, key, path, selector } = this.resource;
    const { watchTimeoutSeconds, requestTimeoutMs } = this.options;
    const timeoutSeconds = Math.round(
      watchTimeoutSeconds * (0.9 + Math.random() * 0.2),
    );
    await new Promise<void>((resolve, reject) => {
      const query = {
        ...selector,
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds,
      };
      // The stream must not be idle past the server's own timeout.
      const idleMs = timeoutSeconds * 1000 + requestTimeoutMs;
      void http
        .watch(path, query, idleMs, {
          onOpen: () => {
            this.backoffMs = this.options.initialBackoffMs;
            this.sync.watching(kind);
          },
          onEvent: ev => {
            this.sync.heard(kind, ev?.type === 'BOOKMARK');
            if (!ev?.object) return;
            if (ev.type === 'ERROR') {
              this.relistNeeded = true; // e.g. 410: the version expired
              return;
            }
            this.resourceVersion =
              ev.object.metadata?.resourceVersion || this.resourceVersion;
            if (
              ev.type !== 'ADDED' &&
              ev.type !== 'MODIFIED' &&
              ev.type !== 'DELETED'
            )
              return;
            const o = toCached(this.resource, ev.object);
            if (o && ev.type === 'DELETED') this.index.remove(key, o);
            else if (o) this.index.upsert(key, o);
          },
          onDone: err => (err ? reject(err) : resolve()),
        })
        .then(handle => {
          this.cancel = () => {
            handle.abort();
            resolve();
          };
          if (this.stopped) this.cancel();
        }, reject);
    });
  }
}
