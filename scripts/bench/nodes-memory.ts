/*
 * Memory of Nodes in the health backend's watch cache, against a real
 * control plane of its own (never dev/prod):
 *
 *   node --expose-gc --require @backstage/cli-node/config/nodeTransform.cjs \
 *     scripts/bench/nodes-memory.ts [NODES=1000] [CLUSTER=nodes-bench]
 *
 * Starts the cluster, runs one ClusterCache (the backend's own: connection,
 * informers, index) on it with the reader's token, waits until it holds the
 * cluster's 3 nodes, then adds NODES kwok nodes, waits until the cache holds
 * them all Ready (kwok has written their status), and reports the heap
 * growth after GC per 1,000 nodes, with the cost of computing the cluster's
 * health over them. Deletes the nodes and stops the cluster at the end.
 */
import { ConfigReader } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigShipyardClusters } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import {
  startTestCluster,
  stopTestCluster,
} from '@shipyard-platform/test-cluster';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterCache } from '../../plugins/deployment-health-backend/src/cluster/ClusterCache';
import { readOptions } from '../../plugins/deployment-health-backend/src/options';

const N = Number(process.argv[2] ?? 1000);
const NAME = process.argv[3] ?? 'nodes-bench';

const logger: LoggerService = {
  child: () => logger,
  debug: () => {},
  info: () => {},
  warn: m => console.warn(`warn: ${m}`),
  error: m => console.error(`error: ${m}`),
};

async function heapAfterGc(): Promise<number> {
  const gc = (globalThis as any).gc as () => void;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(200);
  }
  return process.memoryUsage().heapUsed;
}

async function until(what: string, check: () => boolean, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

function nodes(count: number) {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: Array.from({ length: count }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: `${NAME}-mem-node-${i}`,
        annotations: {
          'kwok.x-k8s.io/node': 'fake',
          'node.alpha.kubernetes.io/ttl': '0',
        },
        labels: {
          type: 'kwok',
          'shipyard.dev/bench': 'nodes-memory',
          'kubernetes.io/hostname': `${NAME}-mem-node-${i}`,
          'kubernetes.io/os': 'linux',
          'node.kubernetes.io/instance-type': 'sim.large',
        },
      },
      status: {
        allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
        capacity: { cpu: '8', memory: '32Gi', pods: '110' },
      },
    })),
  };
}

async function main() {
  const cluster = await startTestCluster(NAME);
  let cache: ClusterCache | undefined;
  try {
    const config = new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: NAME,
                url: cluster.server,
                caFile: cluster.caFile,
                serviceAccountTokenFile: cluster.tokenFile,
                environment: 'bench',
              },
            ],
          },
        ],
      },
    });
    const clusters = ConfigShipyardClusters.fromConfig(config);
    const [entry] = await clusters.listClusters();
    cache = new ClusterCache(entry, clusters, readOptions(config), logger);
    cache.start();
    const held = () => cache!.index.counts().Node ?? 0;
    await until('the first sync', () => cache!.sync.synced, 60_000);
    const before = held();
    const heap0 = await heapAfterGc();

    const t0 = Date.now();
    await cluster.apply(nodes(N));
    await until(
      `${N} more Ready nodes in the cache`,
      () => cache!.health().nodes?.ready === before + N,
      600_000,
    );
    const syncedS = (Date.now() - t0) / 1000;
    const heap1 = await heapAfterGc();

    const runs = 20;
    const h0 = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) cache.health();
    const healthMs = Number(process.hrtime.bigint() - h0) / 1e6 / runs;

    const perThousand = ((heap1 - heap0) / N) * 1000;
    console.log(
      JSON.stringify(
        {
          nodesAdded: N,
          nodesHeld: held(),
          heapBeforeMiB: +(heap0 / 2 ** 20).toFixed(1),
          heapAfterMiB: +(heap1 / 2 ** 20).toFixed(1),
          heapPer1000NodesMiB: +(perThousand / 2 ** 20).toFixed(2),
          bytesPerNode: Math.round((heap1 - heap0) / N),
          clusterHealthComputeMs: +healthMs.toFixed(2),
          secondsUntilAllReadyInCache: syncedS,
          loadAverage: os.loadavg().map(l => +l.toFixed(2)),
          machine: `${os.cpus().length} CPUs, Node ${process.version}`,
        },
        null,
        2,
      ),
    );
  } finally {
    cache?.stop();
    await cluster
      .kubectl('delete', 'nodes', '-l', 'shipyard.dev/bench=nodes-memory')
      .catch(() => {});
    await stopTestCluster(NAME);
  }
}

main().then(
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);
