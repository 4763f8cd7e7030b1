import { Config } from '@backstage/config';

/**
 * How the backend and the status action read a cluster and judge what they
 * read, from `deploymentHealth.*` (see config.d.ts).
 *
 * @public
 */
export interface ClusterReadOptions {
  /** Hard timeout of each cluster request (`requestTimeoutSeconds`, default 5). */
  requestTimeoutMs: number;
  /** The rules' `recentWindowMs` (`recentWindowMinutes`, default 15). */
  recentWindowMs: number;
}

/**
 * Reads the {@link ClusterReadOptions}; the defaults without config.
 *
 * @public
 */
export function readClusterReadOptions(config?: Config): ClusterReadOptions {
  const c = config?.getOptionalConfig('deploymentHealth');
  return {
    requestTimeoutMs:
      (c?.getOptionalNumber('requestTimeoutSeconds') ?? 5) * 1000,
    recentWindowMs:
      (c?.getOptionalNumber('recentWindowMinutes') ?? 15) * 60_000,
  };
}
