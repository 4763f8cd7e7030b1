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
  /**
   * Last time this kind's data was confirmed current: a list completed, a
   * watch opened or sent something, or, while the watch is open, the API
   * server answered a liveness check. Never "now" by default: an open
   * socket alone proves nothing (a frozen server keeps it open).
   */
  confirmedAt?: number;
  /** When the open watch last sent anything: an event or a bookmark. */
  lastHeardAt: number;
  /**
   * Whether this kind's watches get bookmarks. The API server sends one
   * about every minute, so a watch that has gone quiet for longer is dead
   * even when the server still answers other requests: a liveness check
   * no longer confirms it.
   */
  sendsBookmarks: boolean;
  synced: boolean;
  /**
   * An optional kind the reader may not list (403): not an error of the
   * cluster, which still reports the rest, but a missing permission.
   */
  forbidden?: boolean;
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
    /** Silence after which a watch that gets bookmarks counts as dead. */
    private readonly bookmarkSilenceMs: number,
    private readonly logger: LoggerService,
    /**
     * Kinds a reader may be refused without the cluster failing, with the
     * permission they need (Node: `list/watch nodes`).
     */
    private readonly optional: ReadonlyMap<string, string> = new Map(),
  ) {
    this.kinds = new Map(
      kinds.map(k => [
        k,
        { state: 'idle', lastHeardAt: 0, sendsBookmarks: false, synced: false },
      ]),
    );
  }

  /** A list started. */
  listing(kind: string) {
    this.kinds.get(kind)!.state = 'listing';
  }

  /** A list completed: the data is in sync. */
  listed(kind: string) {
    this.kinds.get(kind)!.synced = true;
    this.watching(kind);
  }

  /** A watch opened: the server will send what changed since the list. */
  watching(kind: string) {
    const k = this.kinds.get(kind)!;
    if (k.forbidden) this.logger.info(`${kind}s readable again`);
    k.forbidden = false;
    k.state = 'watching';
    k.confirmedAt = k.lastHeardAt = Date.now();
    k.error = k.errorSince = undefined;
    if (this.loggedError && [...this.kinds.values()].every(w => !w.error)) {
      this.loggedError = undefined;
      this.logger.info('list/watch recovered');
    }
  }

  /** The open watch sent an event or a bookmark. */
  heard(kind: string, bookmark: boolean) {
    const k = this.kinds.get(kind)!;
    k.confirmedAt = k.lastHeardAt = Date.now();
    if (bookmark) k.sendsBookmarks = true;
  }

  /**
   * The API server answered a liveness check sent at `sentAt`, and the
   * open watches of `delivering` were found to deliver: they were current
   * then, except those overdue for a bookmark.
   */
  alive(sentAt: number, delivering: readonly string[]) {
    for (const kind of delivering) {
      const k = this.kinds.get(kind)!;
      const silentFor = sentAt - k.lastHeardAt;
      if (
        k.state === 'watching' &&
        !(k.sendsBookmarks && silentFor > this.bookmarkSilenceMs)
      )
        k.confirmedAt = Math.max(k.confirmedAt ?? 0, sentAt);
    }
  }

  /**
   * A list, watch or connection failed; the informer retries after
   * `backoffMs`. One log line per cluster and distinct error (not one per
   * kind and retry), and one when every kind has recovered. Messages are the
   * classified, credential-free ones.
   */
  failed(kind: string, e: KubeRequestError, backoffMs: number) {
    const permission = this.optional.get(kind);
    if (permission && e.type === 'forbidden') {
      this.refused(kind, permission);
      return;
    }
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
    k.state = 'error';
    k.error = e;
  }

  /**
   * The reader may not list an optional kind: one warning in the log (not
   * one per retry); the informer keeps retrying with backoff, so a grant
   * takes effect without a restart.
   */
  private refused(kind: string, permission: string) {
    const k = this.kinds.get(kind)!;
    if (!k.forbidden)
      this.logger.warn(
        `the reader may not ${permission} (RBAC): ${kind} health is not reported; workloads are`,
      );
    k.forbidden = true;
    k.state = 'error';
    // an answer, if a refusal: not the connection error it may have had before
    k.error = k.errorSince = undefined;
  }

  /** Whether the reader was refused this (optional) kind. */
  isForbidden(kind: string): boolean {
    return Boolean(this.kinds.get(kind)?.forbidden);
  }

  /** Whether this kind has been listed at least once. */
  isSynced(kind: string): boolean {
    return Boolean(this.kinds.get(kind)?.synced);
  }

  /** The kinds whose state counts for the cluster: all but refused optional ones. */
  private counted(): KindSync[] {
    return [...this.kinds.values()].filter(k => !k.forbidden);
  }

  /** True once every kind (but a refused optional one) has been listed at least once. */
  get synced(): boolean {
    return this.counted().every(k => k.synced);
  }

  /** Oldest "confirmed in sync" time over all kinds (but refused optional ones). */
  lastSyncedAt(): number | undefined {
    const times = this.counted().map(k => k.confirmedAt);
    return times.includes(undefined)
      ? undefined
      : Math.min(...(times as number[]));
  }

  /**
   * Seconds since the data was last confirmed current, once that is longer
   * than staleAfter (whatever the cause); undefined while it is fresh.
   */
  staleAge(now = Date.now()): number | undefined {
    const last = this.lastSyncedAt();
    return this.synced && last !== undefined && now - last > this.staleAfterMs
      ? Math.round((now - last) / 1000)
      : undefined;
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
    const last = this.lastSyncedAt();
    const age = this.staleAge(now);
    // Not only kinds in state 'error': a retry switches the state to
    // 'listing', and a cluster that never answers must not flip between its
    // error and "syncing". The error stays until a successful list or an
    // open watch clears it.
    const failing = [...this.kinds].filter(([, k]) => k.error);
    if (failing.length > 0) {
      const e = failing[0][1].error!;
      const kinds =
        failing.length === this.counted().length
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
      message: `not confirmed in sync with the API server for ${age}s`,
      since: new Date(last!).toISOString(),
    };
  }

  status(now: number, objectCounts: Record<string, number>): ClusterStatus {
    const error = this.error(now);
    const last = this.lastSyncedAt();
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
      ...(this.staleAge(now) !== undefined ? { stale: true } : {}),
      objectCounts,
    };
  }
}
