/*
 * Benchmark backend: catalog + permissions (allow-all) + upstream
 * @backstage/plugin-kubernetes-backend + Shipyard deployment-health, side by
 * side on the same clusters and entities. Started by scripts/bench/run with
 *   node --expose-gc --require @backstage/cli-node/config/nodeTransform.cjs \
 *     scripts/bench/backend.ts --config <generated app-config>
 *
 * The two upstream packages are root devDependencies for this comparison only:
 * the portal runs neither (Shipyard's policy; no upstream kubernetes backend).
 *
 * BENCH_STATS_PORT serves GC'd process.memoryUsage() for the memory figure.
 */
import { createBackend } from '@backstage/backend-defaults';
import http from 'node:http';

const backend = createBackend();
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@backstage/plugin-permission-backend-module-allow-all-policy'),
);
backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(
  import('@shipyard-platform/backstage-plugin-deployment-health-backend'),
);
backend.start();

http
  .createServer((_req, res) => {
    (global as any).gc?.();
    (global as any).gc?.();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(process.memoryUsage()));
  })
  .listen(Number(process.env.BENCH_STATS_PORT ?? 7199), '127.0.0.1');
