export interface Config {
  port: number;
  metricsPort: number;
  logLevel: 'debug' | 'info' | 'warning' | 'error';
  serviceName: string;
  environment: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** How long SIGTERM waits for in-flight requests before forcing exit. */
  shutdownTimeoutMs: number;
}

function int(value: string | undefined, fallback: number): number {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) ? n : fallback;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const level = env.LOG_LEVEL ?? 'info';
  return {
    port: int(env.PORT, 8080),
    metricsPort: int(env.METRICS_PORT, 9464),
    logLevel: (['debug', 'info', 'warning', 'error'].includes(level) ? level : 'info') as Config['logLevel'],
    serviceName: env.SERVICE_NAME ?? 'service',
    environment: env.ENVIRONMENT ?? 'local',
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    shutdownTimeoutMs: int(env.SHUTDOWN_TIMEOUT_MS, 20_000),
  };
}
