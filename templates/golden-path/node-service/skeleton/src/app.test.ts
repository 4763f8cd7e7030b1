import assert from 'node:assert/strict';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { type Check, runChecks } from './readiness.ts';

const lines: string[] = [];
const logger = createLogger({ level: 'debug', service: 'test', write: l => lines.push(l) });

async function start(server: http.Server): Promise<string> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('service', () => {
  let healthy = true;
  const checks: Check[] = [
    {
      name: 'dependency',
      run: async () => {
        if (!healthy) throw new Error('connection refused');
      },
    },
  ];
  const app = createApp({ logger, metrics: createMetrics(), checks, serviceName: 'test' });
  let base = '';
  let metricsBase = '';

  before(async () => {
    base = await start(app.server);
    metricsBase = await start(app.metricsServer);
  });
  after(() => {
    app.server.close();
    app.metricsServer.close();
  });

  it('answers /health', async () => {
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('reports ready when the dependencies answer', async () => {
    healthy = true;
    const res = await fetch(`${base}/ready`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).ready, true);
  });

  it('reports not ready, naming the failing dependency', async () => {
    healthy = false;
    const res = await fetch(`${base}/ready`);
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.checks.dependency.ok, false);
    assert.match(body.checks.dependency.error, /connection refused/);
    healthy = true;
  });

  it('returns 404 for unknown routes', async () => {
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });

  it('exposes Prometheus metrics on the metrics server only', async () => {
    await fetch(`${base}/`);
    const res = await fetch(`${metricsBase}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /http_requests_total\{method="GET",route="\/",status="200"\} \d+/);
    assert.match(text, /process_cpu_seconds_total/);
    assert.equal((await fetch(`${base}/metrics`)).status, 404);
  });

  it('fails readiness while draining (SIGTERM)', async () => {
    app.startDraining();
    const res = await fetch(`${base}/ready`);
    assert.equal(res.status, 503);
    assert.equal((await fetch(`${base}/health`)).status, 200);
  });

  it('logs JSON lines', () => {
    const request = lines.map(l => JSON.parse(l)).find(e => e.msg === 'request' && e.path === '/');
    assert.ok(request, 'a request log line');
    assert.equal(request.level, 'info');
    assert.equal(request.route, '/');
    assert.equal(typeof request.time, 'string');
  });
});

describe('runChecks', () => {
  it('times out a hanging check', async () => {
    const result = await runChecks([{ name: 'slow', run: () => new Promise(() => {}) }], 50);
    assert.equal(result.ready, false);
    assert.match(result.checks.slow.error ?? '', /timed out/);
  });
});

describe('loadConfig', () => {
  it('reads the environment with defaults', () => {
    const config = loadConfig({ PORT: '9000', LOG_LEVEL: 'nonsense' });
    assert.equal(config.port, 9000);
    assert.equal(config.metricsPort, 9464);
    assert.equal(config.logLevel, 'info');
  });
});
