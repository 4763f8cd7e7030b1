import { InputError } from '@backstage/errors';
import { Config } from '@backstage/config';
import {
  ClustersPreparing,
  TenancyRules,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  ClusterReadOptions,
  readClusterReadOptions,
  readTenancyRules,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';

/** Tunables of the watch cache and API, from `deploymentHealth.*` (see config.d.ts). */
export interface CacheOptions extends ClusterReadOptions {
  watchTimeoutSeconds: number;
  resyncIntervalMs: number;
  staleAfterMs: number;
  /** How often the API server sends a bookmark on an open watch (kube-apiserver: every minute). */
  bookmarkIntervalMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Objects the watch cache holds per kind and namespace. */
  maxObjectsPerNamespace: number;
  onDemandMaxObjects: number;
  onDemandMaxObjectsPerQuery: number;
  onDemandMaxConcurrentLists: number;
  onDemandMaxQueriesPerTeamView: number;
  onDemandCacheTtlMs: number;
  maxGroupComponents: number;
  /** Where an entity's objects may be read: its owner team's namespaces (`shipyard.tenancy.*`). */
  tenancy: TenancyRules;
}

export function readOptions(config: Config): CacheOptions {
  const c = config.getOptionalConfig('deploymentHealth');
  const num = (key: string, def: number) => c?.getOptionalNumber(key) ?? def;
  return {
    ...readClusterReadOptions(config),
    watchTimeoutSeconds: num('watchTimeoutSeconds', 300),
    resyncIntervalMs: num('resyncIntervalSeconds', 900) * 1000,
    staleAfterMs: num('staleAfterSeconds', 120) * 1000,
    bookmarkIntervalMs: num('bookmarkIntervalSeconds', 60) * 1000,
    initialBackoffMs: num('initialBackoffSeconds', 1) * 1000,
    maxBackoffMs: num('maxBackoffSeconds', 30) * 1000,
    maxObjectsPerNamespace: num('maxObjectsPerNamespace', 2000),
    onDemandMaxObjects: num('onDemand.maxObjectsPerKind', 500),
    onDemandMaxObjectsPerQuery: num('onDemand.maxObjectsPerQuery', 2000),
    onDemandMaxConcurrentLists: num('onDemand.maxConcurrentLists', 8),
    onDemandMaxQueriesPerTeamView: num('onDemand.maxQueriesPerTeamView', 20),
    onDemandCacheTtlMs: num('onDemand.cacheTtlSeconds', 10) * 1000,
    maxGroupComponents: num('maxGroupComponents', 1000),
    tenancy: readTenancyRules(config),
  };
}

/**
 * `deploymentHealth.preparingClusters`, as the config says it now: read per
 * request, since whoever prepares the clusters rewrites it as they go (the
 * root config follows its files).
 */
export function readPreparingClusters(
  config: Config,
): ClustersPreparing | undefined {
  const c = config.getOptionalConfig('deploymentHealth.preparingClusters');
  if (!c) return undefined;
  const step = c.getOptionalNumber('step');
  const steps = c.getOptionalNumber('steps');
  return {
    message: c.getString('message'),
    ...(step !== undefined ? { step } : {}),
    ...(steps !== undefined ? { steps } : {}),
  };
}

/**
 * Silence after which a watch that gets bookmarks is dead: a missed
 * bookmark, with room for the server's jitter.
 */
export function bookmarkSilenceMs(options: CacheOptions): number {
  return options.bookmarkIntervalMs * 1.5;
}

/**
 * How often each cluster's API server is asked whether it is alive: often
 * enough that a silent failure shows well within staleAfter (a check's
 * answer may take up to the request timeout on top).
 */
export function livenessIntervalMs(options: CacheOptions): number {
  return options.staleAfterMs / 4;
}

/**
 * `key` of `c` (under `prefix`), a positive number when set, else `def`:
 * zero or a negative count would make a task run without pause or a query
 * that one database accepts and another refuses.
 */
export function positiveNumber(
  c: Config | undefined,
  prefix: string,
  key: string,
  def: number,
): number {
  const value = c?.getOptionalNumber(key);
  if (value === undefined) return def;
  if (!(value > 0))
    throw new InputError(
      `${prefix}.${key}: must be a positive number, not ${value}`,
    );
  return value;
}
