// Shipyard deployment-health benchmark, side by side with @backstage/plugin-kubernetes-backend.
// Run with scripts/bench/run (sets up the toolchain). Environment knobs:
//   BENCH_CLUSTERS="bench-a bench-b"  clusters (started with scripts/cluster up; any names)
//   BENCH_SERVICES=100 BENCH_REPLICAS=15  -> services x replicas pods per cluster
//   BENCH_LOAD_SECONDS=60 BENCH_CLIENTS=50  concurrent-load phase
//   BENCH_PORT=7307  BENCH_KEEP=1 (keep clusters and workloads afterwards)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CLUSTERS,
  KEEP,
  kubectl,
  log,
  NS,
  ours,
  REPLICAS,
  ROOT,
  round,
  SERVICES,
  sh,
  sleep,
  stats,
  STATS_PORT,
  waitFor,
} from './lib.mjs';
import { changeToReport, latency, load, requestsPerView } from './measure.mjs';
import { benchNodes, manifests, writeConfig } from './setup.mjs';

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

  results.apiRequests = await requestsPerView();
  log('requests', results.apiRequests);
  results.latencyMs = await latency();
  log('latency', results.latencyMs);
  results.podChangeToReportMs = await changeToReport();
  log('change-to-report', results.podChangeToReportMs);
  results.load = await load();
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
