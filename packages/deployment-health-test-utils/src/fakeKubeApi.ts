/*
 * A hand-written stand-in for a kube-apiserver, for fast unit tests of OUR
 * logic only: the cache serving views without API requests, the team view,
 * bounded label-selector queries with their request parameters, and resync
 * timing healing a missed delete (which a real server cannot be made to
 * drop on purpose), a recreated object that repeats a resourceVersion
 * (which a real cluster does only by chance), a watch that falls silent
 * after bookmarks (a dead connection the socket has not noticed), a relist
 * that hangs after the data was in sync (the 'stale' state, which needs a
 * server to stall at one exact moment), and a server that freezes at one
 * exact moment (the liveness check). It is no substitute for Kubernetes:
 * anything about how the plugin behaves against a cluster (list/watch,
 * 401/403, timeouts, stopped, frozen and returning clusters, no leaks) is
 * tested against the real local control plane in the backend's
 * reliability, silentFailures and cluster integration tests.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';

type Obj = {
  kind?: string;
  metadata: {
    uid: string;
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
  };
  [k: string]: any;
};

const PATHS: Record<string, string> = {
  '/apis/apps/v1/deployments': 'Deployment',
  '/apis/apps/v1/statefulsets': 'StatefulSet',
  '/apis/apps/v1/daemonsets': 'DaemonSet',
  '/apis/apps/v1/replicasets': 'ReplicaSet',
  '/api/v1/pods': 'Pod',
  '/apis/autoscaling/v2/horizontalpodautoscalers': 'HorizontalPodAutoscaler',
  '/api/v1/events': 'Event',
  '/api/v1/nodes': 'Node',
};

/**
 * List (label/field selectors by existence/equality) and watch streams.
 * Counts requests.
 *
 * @public
 */
export class FakeKubeApi {
  requests: string[] = [];
  /** When true, list requests are accepted and never answered. */
  hangLists = false;
  /**
   * When true, nothing is answered and open watches send nothing, while
   * every connection stays open: a frozen API server process.
   */
  frozen = false;
  /** Called with each request's URL before it is answered, so a test can change the objects between reads. */
  onRequest?: (url: string) => void;
  private rv = 100;
  private objects = new Map<string, Obj>();
  private watchers = new Set<{
    kind: string;
    res: http.ServerResponse;
    matches: (o: Obj) => boolean;
    /** Kept open but sent nothing more (stallWatches). */
    stalled?: boolean;
  }>();
  private server = http.createServer((req, res) => this.handle(req, res));
  private sockets = new Set<import('node:net').Socket>();

  async start(port = 0): Promise<string> {
    this.server.on('connection', s => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>(r => this.server.listen(port, '127.0.0.1', r));
    return this.url;
  }

  get url() {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop() {
    for (const w of this.watchers) w.res.destroy();
    for (const s of this.sockets) s.destroy();
    await new Promise(r => this.server.close(r));
  }

  upsert(o: Obj) {
    const exists = this.objects.has(o.metadata.uid);
    const copy = JSON.parse(JSON.stringify(o));
    copy.metadata.resourceVersion = String(++this.rv);
    this.objects.set(o.metadata.uid, copy);
    this.notify(exists ? 'MODIFIED' : 'ADDED', copy);
  }

  /** Sends a bookmark on every open watch, as the API server does about every minute. */
  bookmark() {
    if (this.frozen) return;
    for (const w of this.watchers) {
      if (w.stalled) continue;
      w.res.write(
        `${JSON.stringify({
          type: 'BOOKMARK',
          object: {
            kind: w.kind,
            apiVersion: 'v1',
            metadata: { resourceVersion: String(this.rv) },
          },
        })}\n`,
      );
    }
  }

  /**
   * The watches open now stay open and get nothing more, while the server
   * answers everything else, new watches included: a stream that stalled.
   */
  stallWatches() {
    for (const w of this.watchers) w.stalled = true;
  }

  /** Delete without telling watchers (a missed event); only a relist notices. */
  removeSilently(uid: string) {
    this.objects.delete(uid);
  }

  /**
   * Swaps the object with this uid for `replacement`, which keeps the old
   * resourceVersion, without telling watchers: what a recreated cluster,
   * whose resourceVersions start over, can look like to a relist.
   */
  replaceSilently(uid: string, replacement: Obj) {
    const old = this.objects.get(uid)!;
    this.objects.delete(uid);
    const copy = JSON.parse(JSON.stringify(replacement));
    copy.metadata.resourceVersion = old.metadata.resourceVersion;
    this.objects.set(copy.metadata.uid, copy);
  }

  private history: Array<{ rv: number; type: string; o: Obj }> = [];

  private notify(type: string, o: Obj) {
    this.history.push({ rv: this.rv, type, o });
    if (this.frozen) return;
    for (const w of this.watchers) {
      if (!w.stalled && w.kind === o.kind && w.matches(o))
        w.res.write(`${JSON.stringify({ type, object: o })}\n`);
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    this.requests.push(`${req.method} ${req.url}`);
    this.onRequest?.(req.url!);
    // a backend stopping mid-watch drops connections: never let them throw
    req.on('error', () => {});
    res.on('error', () => {});
    req.resume();
    if (this.frozen) return;
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/version') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ major: '1', minor: '36', gitVersion: 'v1.36.0' }),
      );
      return;
    }
    const nsMatch = url.pathname.match(/^(.*)\/namespaces\/([^/]+)\/([a-z]+)$/);
    const path = nsMatch ? `${nsMatch[1]}/${nsMatch[3]}` : url.pathname;
    const namespace = nsMatch?.[2];
    const kind = PATHS[path];
    if (!kind) {
      res.writeHead(404).end();
      return;
    }
    const label = url.searchParams.get('labelSelector');
    const field = url.searchParams.get('fieldSelector');
    const matches = (o: Obj) => {
      if (namespace && o.metadata.namespace !== namespace) return false;
      if (label) {
        for (const term of label.split(',')) {
          const [k, v] = term.split('=');
          if (!(k in (o.metadata.labels ?? {}))) return false;
          if (v !== undefined && o.metadata.labels![k] !== v) return false;
        }
      }
      if (field === 'type=Warning' && o.type !== 'Warning') return false;
      return true;
    };
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      // like the real API server, replay what happened after resourceVersion
      const since = Number(url.searchParams.get('resourceVersion') || this.rv);
      for (const h of this.history) {
        if (h.rv > since && h.o.kind === kind && matches(h.o))
          res.write(`${JSON.stringify({ type: h.type, object: h.o })}\n`);
      }
      const w = { kind, res, matches };
      this.watchers.add(w);
      res.on('close', () => this.watchers.delete(w));
      // like the API server: end the watch after timeoutSeconds
      const timeout = Number(url.searchParams.get('timeoutSeconds') || 0);
      if (timeout > 0) setTimeout(() => res.end(), timeout * 1000).unref();
      return;
    }
    if (this.hangLists) return;
    const items = [...this.objects.values()]
      .filter(o => o.kind === kind && matches(o))
      .map(({ kind: _k, ...rest }) => rest);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: `${kind}List`,
        apiVersion: 'v1',
        metadata: { resourceVersion: String(this.rv) },
        items,
      }),
    );
  }
}

/** Seeds a fake API with objects from a fixture of the -common package. @public */
export function seedFixture(api: FakeKubeApi, fixture: Record<string, any>) {
  const kinds: Record<string, string> = {
    deployments: 'Deployment',
    statefulSets: 'StatefulSet',
    daemonSets: 'DaemonSet',
    replicaSets: 'ReplicaSet',
    pods: 'Pod',
    hpas: 'HorizontalPodAutoscaler',
    events: 'Event',
  };
  for (const [key, kind] of Object.entries(kinds)) {
    for (const o of fixture[key] ?? []) api.upsert({ ...o, kind });
  }
}
