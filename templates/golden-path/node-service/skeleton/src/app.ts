import http from 'node:http';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { type Check, runChecks } from './readiness.ts';

export interface AppOptions {
  logger: Logger;
  metrics: Metrics;
  checks: Check[];
  serviceName: string;
}

export interface App {
  /** The API server (/, /health, /ready). */
  server: http.Server;
  /** The metrics server (/metrics), on its own port. */
  metricsServer: http.Server;
  /** Makes /ready fail so that Kubernetes stops routing traffic here. */
  startDraining(): void;
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function createApp(options: AppOptions): App {
  const { logger, metrics, checks, serviceName } = options;
  let draining = false;

  const routes: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void> = {
    '/': (_req, res) => send(res, 200, { service: serviceName, message: 'hello' }),
    '/health': (_req, res) => send(res, 200, { status: 'ok' }),
    '/ready': async (_req, res) => {
      if (draining) {
        send(res, 503, { ready: false, reason: 'shutting down' });
        return;
      }
      const result = await runChecks(checks);
      if (!result.ready) logger.warning('not ready', { checks: result.checks });
      send(res, result.ready ? 200 : 503, result);
    },
  };

  const server = http.createServer(async (req, res) => {
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0];
    const handler = req.method === 'GET' || req.method === 'HEAD' ? routes[path] : undefined;
    const route = handler ? path : 'unmatched';
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const labels = { method: req.method ?? 'GET', route, status: String(res.statusCode) };
      metrics.requests.inc(labels);
      metrics.duration.observe(labels, seconds);
      if (route !== '/health' && route !== '/ready') {
        logger.info('request', { ...labels, path, durationMs: Math.round(seconds * 1000) });
      }
    });
    try {
      if (handler) await handler(req, res);
      else send(res, 404, { error: 'not found' });
    } catch (err) {
      logger.error('request failed', { err, path });
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
    }
  });
  // Keep-alive longer than typical load balancer idle timeouts.
  server.keepAliveTimeout = 65_000;

  const metricsServer = http.createServer(async (req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') {
      send(res, 404, { error: 'not found' });
      return;
    }
    const body = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(body);
  });

  return {
    server,
    metricsServer,
    startDraining() {
      draining = true;
    },
  };
}
