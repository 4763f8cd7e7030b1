// Shipyard deployment-health benchmark, side by side with @backstage/plugin-kubernetes-backend.
// Run with scripts/bench/run (sets up the toolchain). Environment knobs:
//   BENCH_CLUSTERS="bench-a bench-b"  clusters (started with scripts/cluster up; any names)
//   BENCH_SERVICES=100 BENCH_REPLICAS=15  -> services x replicas pods per cluster
//   BENCH_LOAD_SECONDS=60 BENCH_CLIENTS=50  concurrent-load phase
//   BENCH_PORT=7307  BENCH_KEEP=1 (keep clusters and workloads afterwards)
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const CLUSTERS = (process.env.BENCH_CLUSTERS ?? 'bench-a bench-b')
  .split(/\s+/)
  .filter(Boolean);
const SERVICES = Number(process.env.BENCH_SERVICES ?? 100);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 15);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const PORT = Number(process.env.BENCH_PORT ?? 7307);
const STATS_PORT = PORT + 1;
const KEEP = process.env.BENCH_KEEP === '1';
const NS = 'shipyard-bench';
const TOKEN = crypto.randomBytes(24).toString('hex');
const BASE = `http://127.0.0.1:${PORT}/api`;
const svc = i => `bench-svc-${String(i).padStart(3, '0')}`;
const sleep = ms => new Promise(r => setTimeout(r, ms));
const log = (...a) =>
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

function sh(args, input) {
  return execFileSync(path.join(ROOT, 'scripts/cluster'), args, {
    encoding: 'utf8',
    input,
    maxBuffer: 512 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}
const kubectl = (name, args, input) => sh(['kubectl', name, ...args], input);

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const round = v => Math.round(v * 10) / 10;

async function api(method, url, body) {
  const t0 = performance.now();
  const res = await fetch(`${BASE}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (!res.ok)
    throw Object.assign(
      new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 200)}`),
      { ms },
    );
  return { json: text ? JSON.parse(text) : undefined, ms };
}
const ours = {
  entity: i =>
    api('GET', `/deployment-health/entity/default/component/${svc(i)}`),
  team: () => api('GET', '/deployment-health/group/default/team-bench'),
  clusters: () => api('GET', '/deployment-health/clusters'),
};
const upstream = {
  entity: i =>
    api('POST', '/kubernetes/resources/workloads/query', {
      entityRef: `component:default/${svc(i)}`,
    }),
};
// What a team page would do with upstream: one query per service, 6 at a time (browser per-host limit).
async function upstreamTeamView() {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < SERVICES) await upstream.entity(next++);
    }),
  );
  return performance.now() - t0;
}

async function waitFor(what, fn, timeoutMs = 900_000, everyMs = 1000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}: ${last?.message ?? ''}`);
}

// --- API requests counted at the API servers (apiserver_request_total) ----------------
const COUNTED = new Set([
  'pods',
  'services',
  'configmaps',
  'limitranges',
  'resourcequotas',
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'horizontalpodautoscalers',
  'jobs',
  'cronjobs',
  'ingresses',
  'events',
]);
function requestCount() {
  let total = 0;
  for (const name of CLUSTERS) {
    for (const line of kubectl(name, ['get', '--raw', '/metrics']).split(
      '\n',
    )) {
      if (!line.startsWith('apiserver_request_total{')) continue;
      const verb = /verb="([A-Z]+)"/.exec(line)?.[1];
      const resource = /resource="([^"]*)"/.exec(line)?.[1];
      if ((verb === 'LIST' || verb === 'GET') && COUNTED.has(resource))
        total += Number(line.split(' ').pop());
    }
  }
  return total;
}
async function countRequests(fn) {
  const before = requestCount();
  await fn();
  await sleep(500);
  return requestCount() - before;
}

// --- set-up ----------------------------------------------------------------------------
function manifests() {
  const items = [];
  for (let i = 0; i < SERVICES; i++) {
    const id = svc(i);
    items.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: id,
        namespace: NS,
        labels: { 'backstage.io/kubernetes-id': id },
      },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: id } },
        template: {
          metadata: { labels: { app: id, 'backstage.io/kubernetes-id': id } },
          spec: {
            containers: [
              {
                name: 'app',
                image: `ghcr.io/shipyard-examples/${id}:1.0.${i}`,
                env: [{ name: 'DB_PASSWORD', value: 'bench-secret-env' }],
              },
            ],
            tolerations: [
              {
                key: 'kwok.x-k8s.io/node',
                operator: 'Exists',
                effect: 'NoSchedule',
              },
            ],
          },
        },
      },
    });
  }
  return { apiVersion: 'v1', kind: 'List', items };
}

function benchNodes(name) {
  // Extra simulated nodes with room for the benchmark pods (the default nodes take 110 each).
  const count = Math.ceil((SERVICES * REPLICAS) / 500) + 1;
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: Array.from({ length: count }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: `${name}-bench-node-${i}`,
        annotations: {
          'kwok.x-k8s.io/node': 'fake',
          'node.alpha.kubernetes.io/ttl': '0',
        },
        labels: {
          type: 'kwok',
          'kubernetes.io/hostname': `${name}-bench-node-${i}`,
          'kubernetes.io/os': 'linux',
        },
      },
      status: {
        allocatable: { cpu: '500', memory: '2000Gi', pods: '600' },
        capacity: { cpu: '500', memory: '2000Gi', pods: '600' },
      },
    })),
  };
}

function writeConfig(dir) {
  const catalog = [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'team-bench' },
      spec: { type: 'team', children: [] },
    },
    ...Array.from({ length: SERVICES }, (_, i) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: svc(i),
        annotations: {
          'backstage.io/kubernetes-id': svc(i),
          'backstage.io/kubernetes-namespace': NS,
        },
      },
      spec: { type: 'service', lifecycle: 'production', owner: 'team-bench' },
    })),
  ];
  fs.writeFileSync(
    path.join(dir, 'catalog.yaml'),
    catalog.map(e => JSON.stringify(e)).join('\n---\n'),
  );
  const config = {
    backend: {
      baseUrl: `http://127.0.0.1:${PORT}`,
      listen: { port: PORT, host: '127.0.0.1' },
      database: { client: 'better-sqlite3', connection: ':memory:' },
      auth: {
        externalAccess: [
          { type: 'static', options: { token: TOKEN, subject: 'bench' } },
        ],
      },
    },
    catalog: {
      rules: [{ allow: ['Component', 'Group', 'Location'] }],
      locations: [{ type: 'file', target: path.join(dir, 'catalog.yaml') }],
      processingInterval: { minutes: 30 },
    },
    permission: { enabled: true },
    deploymentHealth: { requestTimeoutSeconds: 5 },
    // Shipyard reads a team's services only in its namespaces
    shipyard: {
      tenancy: { teamNamespaces: [{ team: 'team-bench', namespaces: [NS] }] },
    },
  };
  const file = path.join(dir, 'app-config.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  // the clusters, as the portal gets them
  const clusters = path.join(dir, 'app-config.clusters.yaml');
  fs.writeFileSync(clusters, sh(['config', ...CLUSTERS]));
  return [file, clusters];
}

async function stats() {
  return (await fetch(`http://127.0.0.1:${STATS_PORT}/`)).json();
}

// --- main ------------------------------------------------------------------------------
const results = {
  clusters: CLUSTERS,
  services: SERVICES,
  replicasPerCluster: REPLICAS,
  machine: `${os.cpus().length} CPUs, Node ${process.version}`,
};
let backendProc;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-bench-'));
try {
  log(
    `clusters: ${CLUSTERS.join(
      ', ',
    )} (scripts/cluster up; reuses running ones)`,
  );
  sh(['up', ...CLUSTERS]);
  for (const n of CLUSTERS) {
    kubectl(n, [
      'delete',
      'namespace',
      NS,
      '--ignore-not-found',
      '--wait=true',
      '--timeout=300s',
    ]);
    kubectl(n, ['apply', '-f', '-'], JSON.stringify(benchNodes(n)));
  }
  const [configFile, clustersFile] = writeConfig(work);
  log(`starting the benchmark backend (logs: ${work}/backend.log)`);
  const out = fs.openSync(path.join(work, 'backend.log'), 'w');
  backendProc = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--require',
      '@backstage/cli-node/config/nodeTransform.cjs',
      path.join(ROOT, 'scripts/bench/backend.ts'),
      '--config',
      configFile,
      '--config',
      clustersFile,
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        BENCH_STATS_PORT: String(STATS_PORT),
        NODE_ENV: 'development',
      },
      stdio: ['ignore', out, out],
    },
  );
  backendProc.on('exit', code => code && log(`backend exited with ${code}`));

  await waitFor(
    'both clusters synced',
    async () => {
      const { json } = await ours.clusters();
      return json.clusters.every(c => c.state === 'ok');
    },
    300_000,
  );
  await sleep(3000);
  const mem0 = await stats();
  const pods0 = (await ours.clusters()).json.clusters.reduce(
    (n, c) => n + c.objectCounts.Pod,
    0,
  );

  log(
    `creating ${SERVICES} Deployments x ${REPLICAS} replicas in each cluster`,
  );
  for (const n of CLUSTERS) {
    kubectl(n, ['create', 'namespace', NS]);
    kubectl(n, ['apply', '-f', '-'], JSON.stringify(manifests()));
  }
  const target = SERVICES * REPLICAS;
  await waitFor(
    `${target} running pods per cluster`,
    async () => {
      const counts = CLUSTERS.map(n =>
        Number(
          kubectl(n, [
            'get',
            'pods',
            '-n',
            NS,
            '--field-selector=status.phase=Running',
            '--no-headers',
            '-o',
            'name',
          ])
            .split('\n')
            .filter(Boolean).length,
        ),
      );
      log(`running pods: ${counts.join(', ')} / ${target}`);
      return counts.every(c => c >= target);
    },
    1_800_000,
    10_000,
  );
  await waitFor(
    'catalog ingested',
    async () => (await ours.team()).json.entities.length === SERVICES,
    300_000,
  );
  await waitFor(
    'cache caught up',
    async () => {
      const { json } = await ours.team();
      return json.entities.every(
        e =>
          e.clusters.length === CLUSTERS.length &&
          e.clusters.every(
            c =>
              c.workloads[0]?.podSummary.total === REPLICAS &&
              c.workloads[0].rollout.available === REPLICAS,
          ),
      );
    },
    300_000,
    2000,
  );
  await sleep(5000);
  const mem1 = await stats();
  const clusterStatus = (await ours.clusters()).json.clusters;
  const pods1 = clusterStatus.reduce((n, c) => n + c.objectCounts.Pod, 0);
  results.watchedPods = pods1;
  results.memory = {
    heapUsedBeforeMB: round(mem0.heapUsed / 2 ** 20),
    heapUsedAfterMB: round(mem1.heapUsed / 2 ** 20),
    rssBeforeMB: round(mem0.rss / 2 ** 20),
    rssAfterMB: round(mem1.rss / 2 ** 20),
    heapPer1000PodsMB: round(
      (((mem1.heapUsed - mem0.heapUsed) / (pods1 - pods0)) * 1000) / 2 ** 20,
    ),
    rssPer1000PodsMB: round(
      (((mem1.rss - mem0.rss) / (pods1 - pods0)) * 1000) / 2 ** 20,
    ),
    note: 'heap/RSS growth of the whole backend process while the watched pod count grew (after GC); includes ReplicaSets/Deployments/events of those pods',
  };
  log('memory', results.memory);

  // -- requests per view, counted at the API servers
  const idle = await countRequests(() => sleep(10_000));
  const oursEntity = await countRequests(async () => {
    for (let i = 0; i < 20; i++) await ours.entity(i % SERVICES);
  });
  const oursTeam = await countRequests(async () => {
    for (let i = 0; i < 10; i++) await ours.team();
  });
  const upEntity = await countRequests(async () => {
    for (let i = 0; i < 20; i++) await upstream.entity(i % SERVICES);
  });
  const upTeam = await countRequests(async () => {
    await upstreamTeamView();
  });
  results.apiRequests = {
    countedVerbs:
      'LIST+GET on workload/pod/event/config resources, all clusters',
    idleBaselinePer10s: idle,
    shipyardPerEntityView: round(oursEntity / 20),
    shipyardPerTeamView: round(oursTeam / 10),
    upstreamPerEntityView: round(upEntity / 20),
    upstreamPerTeamView: upTeam,
  };
  log('requests', results.apiRequests);

  // -- latency
  for (let i = 0; i < 10; i++) await ours.team();
  const teamMs = [];
  for (let i = 0; i < 100; i++) teamMs.push((await ours.team()).ms);
  const entityMs = [];
  for (let i = 0; i < 200; i++)
    entityMs.push((await ours.entity(i % SERVICES)).ms);
  const upTeamMs = [];
  for (let i = 0; i < 5; i++) upTeamMs.push(await upstreamTeamView());
  const upEntityMs = [];
  for (let i = 0; i < 50; i++)
    upEntityMs.push((await upstream.entity(i % SERVICES)).ms);
  results.latencyMs = {
    shipyardTeamView: {
      p50: round(pct(teamMs, 50)),
      p95: round(pct(teamMs, 95)),
      n: teamMs.length,
    },
    shipyardEntityView: {
      p50: round(pct(entityMs, 50)),
      p95: round(pct(entityMs, 95)),
      n: entityMs.length,
    },
    upstreamTeamViewPerServiceFanout: {
      p50: round(pct(upTeamMs, 50)),
      p95: round(pct(upTeamMs, 95)),
      n: upTeamMs.length,
    },
    upstreamEntityView: {
      p50: round(pct(upEntityMs, 50)),
      p95: round(pct(upEntityMs, 95)),
      n: upEntityMs.length,
    },
  };
  results.latencyMs.teamViewSpeedup = round(
    pct(upTeamMs, 50) / pct(teamMs, 50),
  );
  log('latency', results.latencyMs);

  // -- pod change -> API
  const changeMs = [];
  for (let i = 0; i < 5; i++) {
    const id = (10 + i) % SERVICES;
    const c0 = (await ours.entity(id)).json.clusters.find(
      c => c.cluster === CLUSTERS[0],
    );
    const victim = c0.workloads[0].pods[0].name;
    const t0 = performance.now();
    kubectl(CLUSTERS[0], ['-n', NS, 'delete', 'pod', victim, '--wait=false']);
    await waitFor(
      'pod deletion visible',
      async () => {
        const c = (await ours.entity(id)).json.clusters.find(
          x => x.cluster === CLUSTERS[0],
        );
        return !c.workloads[0].pods.some(p => p.name === victim);
      },
      30_000,
      10,
    );
    changeMs.push(performance.now() - t0);
  }
  results.podChangeToReportMs = {
    p50: round(pct(changeMs, 50)),
    max: round(Math.max(...changeMs)),
    samples: changeMs.map(round),
    note: 'includes the kubectl process start (~100-200 ms)',
  };
  log('change-to-report', results.podChangeToReportMs);

  // -- concurrent load
  log(`${CLIENTS} concurrent clients for ${LOAD_SECONDS}s`);
  const loadMs = [];
  let errors = 0;
  const firstErrors = [];
  const end = Date.now() + LOAD_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, k) => {
      let j = k;
      while (Date.now() < end) {
        j++;
        try {
          const r =
            j % 10 === 0 ? await ours.team() : await ours.entity(j % SERVICES);
          loadMs.push(r.ms);
        } catch (e) {
          errors++;
          if (firstErrors.length < 5) firstErrors.push(e.message);
        }
      }
    }),
  );
  results.load = {
    clients: CLIENTS,
    seconds: LOAD_SECONDS,
    requests: loadMs.length + errors,
    errors,
    firstErrors,
    rps: round(loadMs.length / LOAD_SECONDS),
    p50: round(pct(loadMs, 50)),
    p99: round(pct(loadMs, 99)),
    mix: '90% entity view, 10% team view (100 services)',
  };
  log('load', results.load);
  results.ok = true;
} catch (e) {
  results.error = String(e?.stack ?? e);
  process.exitCode = 1;
} finally {
  backendProc?.kill('SIGTERM');
  if (!KEEP) {
    try {
      for (const n of CLUSTERS)
        kubectl(n, [
          'delete',
          'namespace',
          NS,
          '--ignore-not-found',
          '--wait=false',
        ]);
      if (!process.env.BENCH_CLUSTERS) sh(['down', ...CLUSTERS]);
    } catch (e) {
      log(`cleanup failed: ${e.message}`);
    }
  }
  fs.writeFileSync(
    path.join(work, 'results.json'),
    JSON.stringify(results, null, 2),
  );
  console.log(JSON.stringify(results, null, 2));
  log(`results: ${path.join(work, 'results.json')}`);
}
