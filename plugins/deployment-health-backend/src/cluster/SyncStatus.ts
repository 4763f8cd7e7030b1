import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterError,
  ClusterStatus,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  KubeRequestError,
  ShipyardCluster,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';

/** What the informer of one kind last reported. */
interface KindSync {
  state: 'idle' | 'listing' | 'watching' | 'error';
  error?: KubeRequestError;
  errorSince?: number;
  /** Last time this kind was known to be in sync (list done, or watch open). */
  lastOkAt?: number;
  /** When the open watch last sent anything: an event or a bookmark. */
  lastHeardAt: number;
  /**
   * The API server sends a bookmark about every minute on a watch that asks
   * for them, so silence longer than that means a dead connection the socket
   * has not noticed. Servers (or proxies) that never send bookmarks get the
   * benefit of the doubt: an open watch counts as in sync.
   */
  sendsBookmarks: boolean;
  synced: boolean;
}

/**
 * Whether one cluster's cached data is complete and current, and if not,
 * why: the informers report what happens to their list and watch, and this
 * turns it into the cluster's error, staleness and status, and the log.
 */
export class SyncStatus {
  private readonly kinds: Map<string, KindSync>;
  private readonly startedAt = Date.now();
  private loggedError?: string;

  constructor(
    private readonly cluster: ShipyardCluster,
    kinds: readonly string[],
    private readonly staleAfterMs: number,
    private readonly logger: LoggerService,
  ) {
    this.kinds = new Map(
      kinds.map(k => [
        k,
        { state: 'idle', lastHeardAt: 0, sendsBookmarks: false, synced: false },
      ]),
    );
  }

  /** A list started. An open watch kept the data in sync up to the moment it ends. */
  listing(kind: string) {
    this.leave(this.kinds.get(kind)!, 'listing');
  }

  /** A list completed: the data is in sync. */
  listed(kind: string) {
    this.kinds.get(kind)!.synced = true;
    this.watching(kind);
  }

  /** A watch opened: the data stays in sync while it is. */
  watching(kind: string) {
    const k = this.kinds.get(kind)!;
    k.state = 'watching';
    k.lastOkAt = k.lastHeardAt = Date.now();
    k.error = k.errorSince = undefined;
    if (this.loggedError && [...this.kinds.values()].every(w => !w.error)) {
      this.loggedError = undefined;
      this.logger.info('list/watch recovered');
    }
  }

  /** The open watch sent an event or a bookmark. */
  heard(kind: string, bookmark: boolean) {
    const k = this.kinds.get(kind)!;
    k.lastHeardAt = Date.now();
    if (bookmark) k.sendsBookmarks = true;
  }

  /**
   * A list, watch or connection failed; the informer retries after
   * `backoffMs`. One log line per cluster and distinct error (not one per
   * kind and retry), and one when every kind has recovered. Messages are the
   * classified, credential-free ones.
   */
  failed(kind: string, e: KubeRequestError, backoffMs: number) {
    const key = `${e.type}: ${e.message}`;
    if (this.loggedError !== key) {
      this.loggedError = key;
      this.logger.warn(
        `list/watch failed (${kind} first): ${key}; retrying with backoff from ${Math.round(
          backoffMs / 1000,
        )}s`,
      );
    }
    const k = this.kinds.get(kind)!;
    // Since the first failure: a retry moves the state to 'listing', but the
    // error stays until listed() or watching() clears it.
    k.errorSince ??= Date.now();
    this.leave(k, 'error');
    k.error = e;
  }

  private leave(k: KindSync, next: 'listing' | 'error') {
    if (k.state === 'watching') k.lastOkAt = inSyncAt(k, Date.now());
    k.state = next;
  }

  /** True once every kind has been listed at least once. */
  get synced(): boolean {
    return [...this.kinds.values()].every(k => k.synced);
  }

  /** Oldest "known in sync" time over all kinds. */
  lastSyncedAt(now = Date.now()): number | undefined {
    const times = [...this.kinds.values()].map(k => inSyncAt(k, now));
    return times.includes(undefined)
      ? undefined
      : Math.min(...(times as number[]));
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
    const last = this.lastSyncedAt(now);
    const age =
      this.synced && last !== undefined && now - last > this.staleAfterMs
        ? Math.round((now - last) / 1000)
        : undefined;
    // Not only kinds in state 'error': a retry switches the state to
    // 'listing', and a cluster that never answers must not flip between its
    // error and "syncing". The error stays until a successful list or an
    // open watch clears it.
    const failing = [...this.kinds].filter(([, k]) => k.error);
    if (failing.length > 0) {
      const e = failing[0][1].error!;
      const kinds =
        failing.length === this.kinds.size
          ? ''
          : ` (${failing.map(([kind]) => kind).join(', ')})`;
      // Cached data stays in the report; say how old it is once that matters.
      return {
        type: e.type,
        message: `${e.message}${kinds}${
          age !== undefined ? `; cached data is ${age}s old` : ''
        }`,
        ...(e.statusCode ? { statusCode: e.statusCode } : {}),
        since: new Date(
          Math.min(...failing.map(([, k]) => k.errorSince ?? now)),
        ).toISOString(),
      };
    }
    if (age === undefined) return undefined;
    return {
      type: 'stale',
      message: `no contact with the API server for ${age}s`,
      since: new Date(last!).toISOString(),
    };
  }

  status(now: number, objectCounts: Record<string, number>): ClusterStatus {
    const error = this.error(now);
    const last = this.lastSyncedAt(now);
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

/** Until when the data is known to be in sync (now while a live watch is open). */
function inSyncAt(k: KindSync, now: number): number | undefined {
  if (k.state !== 'watching') return k.lastOkAt;
  return k.sendsBookmarks ? k.lastHeardAt : now;
}
