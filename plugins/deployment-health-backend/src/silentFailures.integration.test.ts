/*
 * Silent failures (issue 25) against REAL API servers from scripts/cluster:
 * faults that keep every socket open and say nothing, so only the backend's
 * liveness check can tell. Runs with SHIPYARD_INTEGRATION=1 (scripts/test, CI):
 *
 *   SHIPYARD_INTEGRATION=1 yarn backstage-cli package test --watchAll=false src/silentFailures.integration.test.ts
 *
 * Each fault has a configured cluster of its own, on two control planes:
 * - frozen:  the `silent-frozen` control plane, whose kube-apiserver process
 *            gets SIGSTOP (the kernel keeps its connections open, nothing
 *            answers: a hung server), then SIGCONT.
 * - stalled: the `silent-paths` control plane through this test's TCP proxy,
 *            which stops forwarding without closing anything (connections
 *            held, new ones accepted and never forwarded), then forwards again.
 * - dropped: the same control plane through a network namespace of this
 *            test, whose link goes down with the neighbour entry pinned:
 *            every packet is dropped, no RST, no FIN, then the link comes up.
 *
 * Two backends watch all three at once: one with the defaults
 * (staleAfterSeconds 120) and one with staleAfterSeconds 30. The test
 * prints, per backend and fault, the seconds from the fault to the first
 * report of it, to the `stale` flag, and from the repair to recovery.
 *
 * A second test holds only the open watch streams (the server still
 * answers every new request) and scales the Deployment: the change must
 * show well before a missed bookmark would give the streams away.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { RESOURCES } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import type {
  ClustersResponse,
  EntityHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  describeIntegration,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import {
  repoRoot,
  startTestCluster,
  TestCluster,
} from '@shipyard-platform/test-cluster';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import {
  capturingRootLogger,
  component,
  startHealthBackend,
} from './__testUtils__/backend';

const run = promisify(execFile);
const suffix = Date.now().toString(36);
const id = `silent-probe-${suffix}`;
const ns = `dh-silent-${suffix}`;
const team = 'team-silent';
const FAULTS = ['frozen', 'stalled', 'dropped'] as const;
type Fault = (typeof FAULTS)[number];

jest.setTimeout(900_000);

/** A Deployment with one pod, labelled with our kubernetes-id. */
async function deployProbe(cluster: TestCluster) {
  await cluster.kubectl('create', 'namespace', ns);
  await cluster.kubectl(
    '-n',
    ns,
    'create',
    'deployment',
    id,
    '--image=ghcr.io/shipyard-examples/probe:1.0.0',
  );
  await cluster.kubectl(
    '-n',
    ns,
    'label',
    `deployment/${id}`,
    `backstage.io/kubernetes-id=${id}`,
  );
  // the pod template too, so the pod carries the label
  await cluster.kubectl(
    '-n',
    ns,
    'patch',
    `deployment/${id}`,
    '--type=merge',
    '-p',
    JSON.stringify({
      spec: {
        template: {
          metadata: { labels: { 'backstage.io/kubernetes-id': id } },
        },
      },
    }),
  );
}

/** The PID of the process listening on a local TCP port (ss reports it to root). */
async function listenerPid(port: number): Promise<number> {
  const { stdout } = await run('ss', ['-Htlnp', `sport = :${port}`]);
  const pid = stdout.match(/pid=(\d+)/)?.[1];
  if (!pid) throw new Error(`no process listens on port ${port}: ${stdout}`);
  return Number(pid);
}

/** One proxied connection, and what it holds while the proxy stalls. */
interface ProxiedPair {
  client: net.Socket;
  upstream?: net.Socket;
  openedAt: number;
  held?: boolean;
  toUpstream: Buffer[];
  toClient: Buffer[];
}

/**
 * A TCP proxy that can stop forwarding without closing anything: open
 * connections are held (their bytes kept, not passed on) and new ones are
 * accepted and never connected upstream, until `resume()`. `holdOpen()`
 * holds only the connections open for a while and forwards new ones: each
 * request of the backend has a connection of its own (client-node makes an
 * agent per request), so what it holds are the long-lived watch streams,
 * not a liveness check that happens to be in flight.
 */
class StallingProxy {
  private forwarding = true;
  private readonly pairs = new Set<ProxiedPair>();
  private readonly server = net.createServer(client => {
    const pair: ProxiedPair = {
      client,
      openedAt: Date.now(),
      toUpstream: [],
      toClient: [],
    };
    this.pairs.add(pair);
    client.on('error', () => {});
    client.on('close', () => {
      pair.upstream?.destroy();
      this.pairs.delete(pair);
    });
    client.on('data', (d: Buffer) =>
      this.passes(pair) && pair.upstream
        ? pair.upstream.write(d)
        : pair.toUpstream.push(d),
    );
    if (this.forwarding) this.connect(pair);
  });

  constructor(private readonly target: number) {}

  async listen(): Promise<number> {
    await new Promise<void>(r => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as net.AddressInfo).port;
  }

  stall() {
    this.forwarding = false;
  }

  /** Holds the connections open for more than `olderThanMs`; returns how many it holds. */
  holdOpen(olderThanMs = 3000): number {
    for (const pair of this.pairs)
      pair.held ||= Date.now() - pair.openedAt > olderThanMs;
    return [...this.pairs].filter(p => p.held).length;
  }

  resume() {
    this.forwarding = true;
    for (const pair of this.pairs) {
      pair.held = false;
      if (!pair.upstream) this.connect(pair);
      for (const d of pair.toUpstream.splice(0)) pair.upstream!.write(d);
      for (const d of pair.toClient.splice(0)) pair.client.write(d);
    }
  }

  async close() {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream?.destroy();
    }
    await new Promise(r => this.server.close(r));
  }

  private connect(pair: ProxiedPair) {
    const upstream = net.connect(this.target, '127.0.0.1');
    pair.upstream = upstream;
    upstream.on('error', () => pair.client.destroy());
    upstream.on('close', () => pair.client.destroy());
    upstream.on('data', (d: Buffer) =>
      this.passes(pair) ? pair.client.write(d) : pair.toClient.push(d),
    );
    for (const d of pair.toUpstream.splice(0)) upstream.write(d);
  }

  private passes(pair: ProxiedPair) {
    return this.forwarding && !pair.held;
  }
}

/** Forwards each connection to `port` on `host`, both ways. */
function relayScript(listen: string, port: number, host: string) {
  return `require('net').createServer(c => {
    const u = require('net').connect(${port}, '${host}');
    c.pipe(u).pipe(c);
    c.on('error', () => u.destroy());
    u.on('error', () => c.destroy());
  }).listen(0, '${listen}', function () { console.log(this.address().port) });`;
}

/**
 * A path through a network namespace of this test: a veth pair (host side
 * 10.213.25.1, namespace side 10.213.25.2), a relay inside the namespace
 * from 10.213.25.2 to the host side, and one on the host side to the API
 * server on 127.0.0.1. `drop()` takes the namespace's link down with the
 * host's neighbour entry pinned: packets are dropped silently both ways
 * (no RST, no FIN, no ARP failure), and new connections time out.
 */
class NamespacePath {
  readonly name = 'shipyard-silent';
  readonly host = '10.213.25.1';
  readonly address = '10.213.25.2';
  private readonly hostLink = 'shipyard-silent';
  private readonly relays: ChildProcess[] = [];

  /** Builds the path to a local port; returns the port to connect to on `address`. */
  async up(target: number): Promise<number> {
    const ip = (...args: string[]) => run('ip', args);
    const inNs = (...args: string[]) =>
      run('ip', ['netns', 'exec', this.name, ...args]);
    await ip('netns', 'add', this.name);
    await ip(
      'link',
      'add',
      this.hostLink,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      this.name,
    );
    await ip('addr', 'add', `${this.host}/30`, 'dev', this.hostLink);
    await ip('link', 'set', this.hostLink, 'up');
    await inNs('ip', 'addr', 'add', `${this.address}/30`, 'dev', 'eth0');
    await inNs('ip', 'link', 'set', 'eth0', 'up');
    const mac = (await inNs('cat', '/sys/class/net/eth0/address')).stdout;
    await ip(
      'neigh',
      'replace',
      this.address,
      'lladdr',
      mac.trim(),
      'dev',
      this.hostLink,
      'nud',
      'permanent',
    );
    const hostPort = await this.relay(
      [process.execPath],
      relayScript(this.host, target, '127.0.0.1'),
    );
    return this.relay(
      ['ip', 'netns', 'exec', this.name, process.execPath],
      relayScript(this.address, hostPort, this.host),
    );
  }

  /** Starts a relay process; resolves with the port it listens on. */
  private relay(command: string[], script: string): Promise<number> {
    const child = spawn(command[0], [...command.slice(1), '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.relays.push(child);
    return new Promise((resolve, reject) => {
      child.stdout!.once('data', d => resolve(Number(String(d).trim())));
      child.once('exit', code =>
        reject(new Error(`relay exited (${code}): ${command.join(' ')}`)),
      );
    });
  }

  private link(state: 'up' | 'down') {
    return run('ip', [
      'netns',
      'exec',
      this.name,
      'ip',
      'link',
      'set',
      'eth0',
      state,
    ]);
  }

  drop = () => this.link('down');
  restore = () => this.link('up');

  async down() {
    for (const r of this.relays) r.kill();
    await run('ip', ['netns', 'del', this.name]).catch(() => {});
  }
}

/** What one backend reports about one fault's cluster. */
interface Observed {
  error?: string;
  stale?: boolean;
  lastSyncedAt?: number;
  pods: number;
}

describeIntegration('silent failures against real API servers', () => {
  let frozenCp: TestCluster;
  let pathsCp: TestCluster;
  let apiServerPid = 0;
  let proxy: StallingProxy;
  let heldProxy: StallingProxy;
  const netnsPath = new NamespacePath();

  beforeAll(async () => {
    [frozenCp, pathsCp] = await Promise.all([
      startTestCluster('silent-frozen'),
      startTestCluster('silent-paths'),
    ]);
    await Promise.all([deployProbe(frozenCp), deployProbe(pathsCp)]);
    apiServerPid = await listenerPid(Number(new URL(frozenCp.server).port));
  });

  afterAll(async () => {
    if (apiServerPid) process.kill(apiServerPid, 'SIGCONT');
    await proxy?.close();
    await heldProxy?.close();
    await netnsPath.down();
    for (const name of ['silent-frozen', 'silent-paths'])
      await run(path.join(repoRoot, 'scripts/cluster'), ['down', name], {
        timeout: 300_000,
      }).catch(() => {});
  });

  it('reports each silent fault within staleAfterSeconds, never claims a sync after the fault, keeps the data and recovers without a restart', async () => {
    const pathsPort = Number(new URL(pathsCp.server).port);
    proxy = new StallingProxy(pathsPort);
    const proxyPort = await proxy.listen();
    await netnsPath.down(); // left over by an interrupted run
    const netnsPort = await netnsPath.up(pathsPort).catch(e => {
      throw new Error(
        `could not build the network namespace path (ip netns, veth; needs root): ${e.message}`,
      );
    });
    const clusters = [
      { name: 'frozen', url: frozenCp.server, cp: frozenCp },
      { name: 'stalled', url: `https://127.0.0.1:${proxyPort}`, cp: pathsCp },
      // The API server's certificate does not name the namespace address.
      {
        name: 'dropped',
        url: `https://${netnsPath.address}:${netnsPort}`,
        cp: pathsCp,
        skipTLSVerify: true,
      },
    ].map(({ cp, ...c }) => ({
      ...c,
      ...(c.skipTLSVerify ? {} : { caData: cp.caData }),
      serviceAccountToken: cp.readerToken,
      environment: 'production',
    }));
    const start = (staleAfterSeconds?: number) => {
      const logger = capturingRootLogger();
      return startHealthBackend({
        clusters,
        deploymentHealth: staleAfterSeconds ? { staleAfterSeconds } : {},
        tenancy: { teamNamespaces: [{ team, namespaces: [ns] }] },
        entities: [component(id, team)],
        logger: logger.factory,
      }).then(backend => ({ backend, logs: logger.lines }));
    };
    const backends = {
      default: await start(),
      '30s': await start(30),
    };
    type Name = keyof typeof backends;
    const get = (b: Name, p: string) =>
      request(backends[b].backend.server)
        .get(`/api/deployment-health/${p}`)
        .set('Authorization', mockCredentials.user.header());
    /** The entity report's view of each fault's cluster. */
    const observe = async (b: Name): Promise<Record<Fault, Observed>> => {
      const report = (await get(b, `entity/default/component/${id}`))
        .body as EntityHealthResponse;
      const of = (f: Fault): Observed => {
        const c = report.clusters.find(x => x.cluster === f);
        return {
          error: c?.error?.type,
          stale: c?.stale,
          lastSyncedAt: c?.lastSyncedAt
            ? Date.parse(c.lastSyncedAt)
            : undefined,
          pods: c?.workloads.flatMap(w => w.pods).length ?? 0,
        };
      };
      return {
        frozen: of('frozen'),
        stalled: of('stalled'),
        dropped: of('dropped'),
      };
    };
    const names = Object.keys(backends) as Name[];
    /** Whether `ok` holds for every fault on every backend (each one looked at). */
    const every = async (ok: (o: Observed, b: Name, f: Fault) => boolean) => {
      let all = true;
      for (const b of names) {
        const seen = await observe(b);
        for (const f of FAULTS) all = ok(seen[f], b, f) && all;
      }
      return all;
    };
    /** What must never be seen; checked after each wait (a throwing check would only be retried). */
    const broken = new Set<string>();
    const describe = () =>
      names
        .map(b => `${b}: ${backends[b].logs.slice(-8).join('\n')}`)
        .join('\n');
    const times: Record<string, Record<string, number>> = {};
    const mark = (b: Name, f: Fault, what: string, since: number) => {
      const row = (times[`${f} (${b})`] ??= {});
      row[what] ??= Math.round((Date.now() - since) / 100) / 10;
    };

    try {
      // every path carries the data before the faults
      await waitFor(() => every(o => !o.error && o.pods === 1), {
        what: 'all three clusters synced on both backends',
        timeoutMs: 120_000,
        intervalMs: 500,
        describe,
      });

      const faultAt = Date.now();
      process.kill(apiServerPid, 'SIGSTOP');
      proxy.stall();
      await netnsPath.drop();

      // the fault shows (timeout), then the age (stale), on both backends;
      // never a sync after the fault, and the last data stays
      await waitFor(
        () =>
          every((o, b, f) => {
            if (o.pods !== 1) broken.add(`${f} (${b}): data dropped`);
            if ((o.lastSyncedAt ?? 0) > faultAt)
              broken.add(`${f} (${b}): lastSyncedAt after the fault`);
            if (o.error && o.error !== 'timeout')
              broken.add(`${f} (${b}): ${o.error}, not timeout`);
            if (o.error) mark(b, f, 'reported', faultAt);
            if (o.stale) mark(b, f, 'stale', faultAt);
            return Boolean(o.error && o.stale);
          }),
        {
          what: 'every fault reported and stale',
          // the default backend's staleAfterSeconds (120), with room for a
          // loaded machine; the figures printed below are the measurement
          timeoutMs: 240_000,
          intervalMs: 500,
          describe,
        },
      );

      expect([...broken]).toEqual([]);
      // the cluster list tells the same
      for (const b of names) {
        const listed = (await get(b, 'clusters')).body as ClustersResponse;
        for (const f of FAULTS) {
          const c = listed.clusters.find(x => x.name === f)!;
          expect(c).toMatchObject({ state: 'error', stale: true });
          expect(c.error!.type).toBe('timeout');
          expect(Date.parse(c.lastSyncedAt!)).toBeLessThanOrEqual(faultAt);
        }
      }

      const repairedAt = Date.now();
      process.kill(apiServerPid, 'SIGCONT');
      proxy.resume();
      await netnsPath.restore();
      await waitFor(
        () =>
          every((o, b, f) => {
            const back =
              !o.error && !o.stale && (o.lastSyncedAt ?? 0) > repairedAt;
            if (back) mark(b, f, 'recovered', repairedAt);
            return back && o.pods === 1;
          }),
        {
          what: 'every cluster recovered without a restart',
          timeoutMs: 180_000,
          intervalMs: 500,
          describe,
        },
      );
      // eslint-disable-next-line no-console
      console.log(
        `seconds from the fault to its report and to stale, and from the repair to recovery:\n${JSON.stringify(
          times,
          null,
          1,
        )}`,
      );
      // no credential in any log line
      for (const b of names)
        for (const token of [frozenCp.readerToken, pathsCp.readerToken])
          expect(backends[b].logs.join('\n')).not.toContain(token);
    } finally {
      process.kill(apiServerPid, 'SIGCONT');
      for (const b of names) await backends[b].backend.stop();
    }
  });

  it('shows a change that held watch streams never delivered, while the server answers, before a missed bookmark would', async () => {
    heldProxy = new StallingProxy(Number(new URL(pathsCp.server).port));
    const url = `https://127.0.0.1:${await heldProxy.listen()}`;
    const logger = capturingRootLogger();
    const backend = await startHealthBackend({
      clusters: [
        {
          name: 'held',
          url,
          caData: pathsCp.caData,
          serviceAccountToken: pathsCp.readerToken,
          environment: 'production',
        },
      ],
      // a liveness check every 7.5 s; a watch gives itself away by a missed
      // bookmark only after 90 s (bookmarkIntervalSeconds 60 × 1.5)
      deploymentHealth: { staleAfterSeconds: 30 },
      tenancy: { teamNamespaces: [{ team, namespaces: [ns] }] },
      entities: [component(id, team)],
      logger: logger.factory,
    });
    const held = async () => {
      const report = (
        await request(backend.server)
          .get(`/api/deployment-health/entity/default/component/${id}`)
          .set('Authorization', mockCredentials.user.header())
      ).body as EntityHealthResponse;
      const c = report.clusters.find(x => x.cluster === 'held');
      return {
        error: c?.error?.type,
        lastSyncedAt: Date.parse(c?.lastSyncedAt ?? '') || 0,
        pods: c?.workloads.flatMap(w => w.pods).length ?? 0,
      };
    };
    const describe = () => logger.lines.slice(-8).join('\n');
    try {
      await waitFor(async () => (await held()).pods === 1, {
        what: 'the held cluster synced',
        timeoutMs: 120_000,
        describe,
      });
      // the watch streams opened with the first sync: old enough to hold
      await new Promise(r => setTimeout(r, 4000));
      const heldStreams = heldProxy.holdOpen();
      // each watched kind has a stream of its own
      expect(heldStreams).toBeGreaterThanOrEqual(RESOURCES.length);
      const scaledAt = Date.now();
      await pathsCp.kubectl(
        '-n',
        ns,
        'scale',
        `deployment/${id}`,
        '--replicas=2',
      );
      const errors = new Set<string>();
      await waitFor(
        async () => {
          const o = await held();
          if (o.error) errors.add(o.error);
          return o.pods === 2 && o.lastSyncedAt > scaledAt;
        },
        {
          what: 'the second pod shown and the cluster confirmed after the change',
          timeoutMs: 60_000,
          intervalMs: 500,
          describe,
        },
      );
      // eslint-disable-next-line no-console
      console.log(
        `seconds from the change behind ${heldStreams} held watch streams to its report: ${
          Math.round((Date.now() - scaledAt) / 100) / 10
        }`,
      );
      // the server answered throughout: a stall, not an outage
      expect([...errors]).toEqual([]);
    } finally {
      heldProxy.resume();
      await backend.stop();
      await pathsCp.kubectl(
        '-n',
        ns,
        'scale',
        `deployment/${id}`,
        '--replicas=1',
      );
    }
  });
});
