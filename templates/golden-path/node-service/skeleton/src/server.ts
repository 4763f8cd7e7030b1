import type http from 'node:http';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { dependencyChecks } from './readiness.ts';

const config = loadConfig();
const logger = createLogger({ level: config.logLevel, service: config.serviceName });
const checks = dependencyChecks(config);
const app = createApp({ logger, metrics: createMetrics(), checks, serviceName: config.serviceName });

const listen = (server: http.Server, port: number) =>
  new Promise<void>(resolve => server.listen(port, '0.0.0.0', () => resolve()));

await listen(app.server, config.port);
await listen(app.metricsServer, config.metricsPort);
logger.info('listening', { port: config.port, metricsPort: config.metricsPort, environment: config.environment });

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info('shutting down', { signal });
  app.startDraining();
  const force = setTimeout(() => {
    logger.error('shutdown timed out, exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  force.unref();
  // stop accepting connections, finish in-flight requests, close idle keep-alives
  const closed = new Promise<void>(resolve => app.server.close(() => resolve()));
  app.server.closeIdleConnections();
  await closed;
  await new Promise<void>(resolve => app.metricsServer.close(() => resolve()));
  await Promise.all(checks.map(c => c.close?.()));
  logger.info('stopped');
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
