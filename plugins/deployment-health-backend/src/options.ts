import { Config } from '@backstage/config';
import {
  ClusterReadOptions,
  readClusterReadOptions,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';

/** Tunables of the watch cache and API, from `deploymentHealth.*` (see config.d.ts). */
export interface CacheOptions extends ClusterReadOptions {
  watchTimeoutSeconds: number;
  resyncIntervalMs: number;
  staleAfterMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  onDemandMaxObjects: number;
  onDemandCacheTtlMs: number;
  maxGroupComponents: number;
}

export function readOptions(config: Config): CacheOptions {
  const c = config.getOptionalConfig('deploymentHealth');
  const num = (key: string, def: number) => c?.getOptionalNumber(key) ?? def;
  return {
    ...readClusterReadOptions(config),
    watchTimeoutSeconds: num('watchTimeoutSeconds', 300),
    resyncIntervalMs: num('resyncIntervalSeconds', 900) * 1000,
    staleAfterMs: num('staleAfterSeconds', 120) * 1000,
    initialBackoffMs: num('initialBackoffSeconds', 1) * 1000,
    maxBackoffMs: num('maxBackoffSeconds', 30) * 1000,
    onDemandMaxObjects: num('onDemand.maxObjectsPerKind', 500),
    onDemandCacheTtlMs: num('onDemand.cacheTtlSeconds', 10) * 1000,
    maxGroupComponents: num('maxGroupComponents', 1000),
  };
}
