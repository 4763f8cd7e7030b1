import { setTimeout as sleep } from 'node:timers/promises';
import { KubernetesObject } from '@kubernetes/client-node';
import { bookmarkSilenceMs, CacheOptions } from '../options';
import {
  classifyError,
  ClusterConnection,
  KubeHttp,
  Resource,
  toCached,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { ObjectIndex } from './ObjectIndex';
import { SyncStatus } from './SyncStatus';

const CHANGES = new Set(['ADDED', 'MODIFIED', 'DELETED']);

/**
 * The list+watch loop of one kind in one cluster: list (paginated), watch
 * from the list's resourceVersion, re-open the watch when the server ends
 * it, relist every resyncInterval and after any failure, and retry failures
 * with exponential backoff. Objects go to the index, progress to the sync
 * status; neither calls back. (Why not client-node's informer: README.)
 */
export class Informer {
  private readonly stopping = new AbortController();
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
  /** Whether this kind's watches get the server's periodic bookmarks. */
  private sendsBookmarks = false;
  /** Ends the open watch (not the informer): set while one is open. */
  private openWatch?: AbortController;

  constructor(
    private readonly resource: Resource,
    private readonly connection: ClusterConnection,
    private readonly index: ObjectIndex,
    private readonly sync: SyncStatus,
    private readonly options: CacheOptions,
  ) {
    this.backoffMs = options.initialBackoffMs;
  }

  /** The kind this informer lists and watches. */
  get kind(): string {
    return this.resource.kind;
  }

  start() {
    void this.run();
  }

  /** Aborts the list, watch or backoff wait in progress. */
  stop() {
    this.stopping.abort();
  }

  private async run() {
    const { signal } = this.stopping;
    const { resyncIntervalMs, maxBackoffMs } = this.options;
    while (!signal.aborted) {
      try {
        for (;;) {
          // The client (and so the credential) for each list and watch:
          // ClusterConnection makes a new one with a fresh credential every
          // few seconds, so an expiring token (AWS: 15 min, a rotated token
          // file) is replaced before a re-opened watch would present it.
          const http = await this.connection.http();
          if (this.relistNeeded) await this.list(http, signal);
          await this.watch(http, signal);
          if (signal.aborted) return;
          // The server closed the watch: resume from the last
          // resourceVersion, unless a resync is due (it heals missed events).
          if (Date.now() - this.lastListAt > resyncIntervalMs)
            this.relistNeeded = true;
        }
      } catch (e) {
        if (signal.aborted) return;
        this.sync.failed(this.resource.kind, classifyError(e), this.backoffMs);
        this.relistNeeded = true;
        const delay = this.backoffMs * (0.8 + Math.random() * 0.4);
        this.backoffMs = Math.min(this.backoffMs * 2, maxBackoffMs);
        await sleep(delay, undefined, { signal }).catch(() => {});
      }
    }
  }

  private async list(http: KubeHttp, signal: AbortSignal) {
    const { kind, key, path, selector } = this.resource;
    this.sync.listing(kind);
    const items: KubernetesObject[] = [];
    let resourceVersion = '';
    let cont: string | undefined;
    // Paginate so a large cluster does not produce one huge response.
    do {
      const page = await http.getListPage(
        path,
        { ...selector, limit: 500, continue: cont },
        signal,
      );
      resourceVersion ||= page.resourceVersion;
      for (const item of page.items) {
        const o = toCached(this.resource, item);
        if (o) items.push(o);
      }
      cont = page.continueToken;
    } while (cont);
    this.index.replace(key, items);
    this.resourceVersion = resourceVersion;
    this.lastListAt = Date.now();
    this.relistNeeded = false;
    this.backoffMs = this.options.initialBackoffMs;
    this.sync.listed(kind);
  }

  /**
   * Whether the open watch delivers what changes. A second watch from the
   * same resourceVersion, ended by the server after a second, gets what the
   * server has for this kind since; if it got a change while the open watch
   * delivered nothing in that time, the open watch is stalled (its stream
   * stopped while the server still answers): it is re-opened, and the
   * answer is false. No change since means nothing is missing: true.
   */
  async delivers(http: KubeHttp, signal: AbortSignal): Promise<boolean> {
    if (!this.openWatch) return false;
    const { path, selector } = this.resource;
    const from = this.resourceVersion;
    let changed = false;
    await http.watch(
      path,
      { ...selector, resourceVersion: from, timeoutSeconds: 1 },
      this.options.requestTimeoutMs,
      {
        signal,
        onOpen: () => {},
        onEvent: ev => {
          changed ||= CHANGES.has(ev?.type);
        },
      },
    );
    if (!changed || this.resourceVersion !== from) return true;
    this.openWatch?.abort();
    return false;
  }

  /** One watch, until the server ends it (or stop(), or a stall). */
  private watch(http: KubeHttp, stopping: AbortSignal) {
    const { kind, key, path, selector } = this.resource;
    const timeoutSeconds = Math.round(
      this.options.watchTimeoutSeconds * (0.9 + Math.random() * 0.2),
    );
    const query = {
      ...selector,
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds,
    };
    // Silence past the server's own timeout means a dead connection, and
    // so does a missed bookmark once the server is known to send them.
    const idleMs = Math.min(
      timeoutSeconds * 1000 + this.options.requestTimeoutMs,
      this.sendsBookmarks ? bookmarkSilenceMs(this.options) : Infinity,
    );
    const open = new AbortController();
    return http
      .watch(path, query, idleMs, {
        signal: AbortSignal.any([stopping, open.signal]),
        onOpen: () => {
          this.openWatch = open;
          this.backoffMs = this.options.initialBackoffMs;
          this.sync.watching(kind);
        },
        onEvent: ev => {
          if (ev?.type === 'BOOKMARK') this.sendsBookmarks = true;
          this.sync.heard(kind, ev?.type === 'BOOKMARK');
          if (!ev?.object) return;
          if (ev.type === 'ERROR') {
            this.relistNeeded = true; // e.g. 410 Gone: the version expired
            return;
          }
          this.resourceVersion =
            ev.object.metadata?.resourceVersion || this.resourceVersion;
          const o = CHANGES.has(ev.type) && toCached(this.resource, ev.object);
          if (o && ev.type === 'DELETED') this.index.remove(key, o);
          else if (o) this.index.upsert(key, o);
        },
      })
      .finally(() => {
        this.openWatch = undefined;
      });
  }
}
