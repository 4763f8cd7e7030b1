import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import { classifyError, KubeRequestError } from './errors';

/** One page of a list, as {@link KubeHttp.getListPage} reads it. @public */
export interface KubeListPage {
  /** The objects of this page, as the API server sent them. */
  items: any[];
  /** The list's resourceVersion, to watch from. */
  resourceVersion: string;
  /** Set when more pages follow: pass it as `continue`. */
  continueToken?: string;
}

/** Query parameters of a request; undefined ones are left out. @public */
export type KubeQuery = Record<string, string | number | boolean | undefined>;

function buildPath(path: string, query: KubeQuery): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined) params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Minimal GET client for the Kubernetes API on top of a KubeConfig.
 *
 * Why not the generated API clients: every request here needs a hard
 * timeout (a cluster that accepts connections and never answers must not
 * hang a request or a watch), and client-node 1.4's Watch has none (its
 * AbortSignal.timeout is overwritten). node:http gives us that directly.
 *
 * @public
 */
export class KubeHttp {
  constructor(
    private readonly kc: KubeConfig,
    private readonly timeoutMs: number,
    /**
     * Aborted when the connection is closed (ClusterConnection.close): every
     * request in flight then fails with the signal's reason, a
     * KubeRequestError.
     */
    private readonly closed?: AbortSignal,
  ) {}

  /**
   * Sends a GET and hands its 200 response to `read`. The result settles
   * once, through `settle` (a value, or an error that destroys the request):
   * from `read`, on another status or a socket error, when the deadline
   * (`arm`; first timeoutMs for the headers) passes, when `signal`
   * aborts (with `aborted`, or without an error), or when the connection is
   * closed (with its reason).
   */
  private async send<T>(
    path: string,
    query: KubeQuery,
    signal: AbortSignal | undefined,
    aborted: KubeRequestError | undefined,
    read: (
      res: http.IncomingMessage,
      settle: (err?: unknown, value?: T) => void,
      arm: (ms: number, message: string) => void,
    ) => void,
  ): Promise<T> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster)
      throw new KubeRequestError('misconfigured', 'no cluster in kubeconfig');
    const base = new URL(cluster.server);
    const url = new URL(
      base.pathname.replace(/\/$/, '') + buildPath(path, query),
      base,
    );
    const opts: https.RequestOptions = {
      method: 'GET',
      headers: { Accept: 'application/json' },
    };
    try {
      await this.kc.applyToHTTPSOptions(opts);
    } catch (e) {
      throw classifyError(e);
    }
    const mod = url.protocol === 'http:' ? http : https;
    if (url.protocol === 'http:') delete opts.agent; // an https.Agent cannot carry http
    const req = mod.request(url, opts);
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const closed = this.closed;
      function settle(err?: unknown, value?: T) {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        closed?.removeEventListener('abort', onClose);
        if (err === undefined) resolve(value as T);
        else {
          req.destroy();
          reject(classifyError(err));
        }
      }
      function arm(ms: number, message: string) {
        if (done) return;
        clearTimeout(timer);
        timer = setTimeout(
          () => settle(new KubeRequestError('timeout', message)),
          ms,
        );
      }
      function onAbort() {
        req.destroy();
        settle(aborted);
      }
      function onClose() {
        settle(closed!.reason);
      }
      arm(this.timeoutMs, `no response within ${this.timeoutMs / 1000}s`);
      if (closed?.aborted) onClose();
      else closed?.addEventListener('abort', onClose);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort);
      req.on('error', settle);
      req.on('response', res => {
        if (res.statusCode === 200) read(res, settle, arm);
        else {
          res.resume();
          settle({ statusCode: res.statusCode });
        }
      });
      req.end();
    });
  }

  /**
   * GET a JSON document; rejects with KubeRequestError, including after
   * timeoutMs and when `signal` aborts.
   */
  getJson<T>(path: string, query: KubeQuery = {}, signal?: AbortSignal) {
    const aborted = new KubeRequestError('timeout', 'aborted');
    return this.send<T>(path, query, signal, aborted, (res, settle) => {
      const chunks: Buffer[] = [];
      res.on('data', c => chunks.push(c));
      res.on('error', settle);
      res.on('end', () => {
        try {
          settle(undefined, JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          settle(
            new KubeRequestError('unknown', 'invalid JSON from API server'),
          );
        }
      });
    });
  }

  /**
   * GET one page of a list (`limit`, `continue` in `query`). The API
   * server's JSON is read as it is, so its continue token is
   * `metadata.continue`; client-node's types call it `_continue`, which
   * raw JSON never has.
   */
  async getListPage(
    path: string,
    query: KubeQuery,
    signal?: AbortSignal,
  ): Promise<KubeListPage> {
    const page = await this.getJson<{
      items?: unknown[];
      metadata?: { resourceVersion?: string; continue?: string };
    }>(path, query, signal);
    return {
      items: page.items ?? [],
      resourceVersion: page.metadata?.resourceVersion ?? '',
      continueToken: page.metadata?.continue || undefined,
    };
  }

  /**
   * Watches `path`, handing each parsed event to `onEvent`. Resolves when
   * the server ends the stream or `signal` aborts it; rejects with a
   * KubeRequestError when it fails.
   *
   * Response headers must arrive within timeoutMs, and the stream must not be
   * idle longer than idleMs (the server closes it at `timeoutSeconds`, so a
   * longer silence means a dead or hung connection).
   */
  watch(
    path: string,
    query: KubeQuery,
    idleMs: number,
    handlers: {
      onOpen: () => void;
      onEvent: (event: { type: string; object: any }) => void;
      signal: AbortSignal;
    },
  ): Promise<void> {
    const { onOpen, onEvent, signal } = handlers;
    const idle = `watch idle for ${Math.round(idleMs / 1000)}s`;
    const watchQuery = { ...query, watch: 'true' };
    return this.send<void>(
      path,
      watchQuery,
      signal,
      undefined,
      (res, settle, arm) => {
        arm(idleMs, idle);
        onOpen();
        const lines = createInterface({ input: res });
        // readline re-emits input errors (e.g. "aborted" when the connection drops)
        lines.on('error', settle);
        lines.on('line', line => {
          arm(idleMs, idle);
          let event;
          try {
            event = JSON.parse(line);
          } catch {
            return; // partial or garbage line: ignore, as client-node does
          }
          onEvent(event);
        });
        res.on('error', settle);
        res.on('close', () => settle());
        res.on('end', () => settle());
      },
    );
  }
}
