import { Config } from '@backstage/config';

/** Tunables of the watch cache and API, from `deploymentHealth.*` (see config.d.ts). */
export interface CacheOptions {
  requestTimeoutMs: number;
  watchTimeoutSeconds: number;
  resyncIntervalMs: number;
  staleAfterMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  onDemandMaxObjects: number;
  onDemandCacheTtlMs: number;
  recentWindowMs: number;
  maxGroupComponents: number;
}

export function readOptions(config: Config): CacheOptions {
  const c = config.getOptionalConfig('deploymentHealth');
  const num = (key: string, def: number) => c?.getOptionalNumber(key) ?? def;
  return {
    requestTimeoutMs: num('requestTimeoutSeconds', 5) * 1000,
    watchTimeoutSeconds: num('watchTimeoutSeconds', 300),
    resyncIntervalMs: num('resyncIntervalSeconds', 900) * 1000,
    staleAfterMs: num('staleAfterSeconds', 120) * 1000,
    initialBackoffMs: num('initialBackoffSeconds', 1) * 1000,
    maxBackoffMs: num('maxBackoffSeconds', 30) * 1000,
    onDemandMaxObjects: num('onDemand.maxObjectsPerKind', 500),
    onDemandCacheTtlMs: num('onDemand.cacheTtlSeconds', 10) * 1000,
    recentWindowMs: num('recentWindowMinutes', 15) * 60_000,
    maxGroupComponents: num('maxGroupComponents', 1000),
  };
}
