import { HealthReason } from '../reasons';
import { ClusterError } from '../reports';

/** A cluster's error as a reason, so that it shows in the status. @public */
export function clusterErrorReason(
  cluster: string,
  error: ClusterError,
): HealthReason {
  const code = (
    {
      unreachable: 'ClusterUnreachable',
      unauthorized: 'ClusterUnauthorized',
      forbidden: 'ClusterForbidden',
      timeout: 'ClusterTimeout',
      stale: 'ClusterStale',
      misconfigured: 'ClusterMisconfigured',
      unknown: 'ClusterError',
    } as const
  )[error.type];
  return {
    status: 'Unknown',
    code,
    scope: 'cluster',
    cluster,
    message: `Cluster ${cluster}: ${error.message}`,
  };
}

/**
 * The cluster's first list is not done yet: what it holds of the service is
 * not known, so the service is neither healthy nor missing there.
 *
 * @public
 */
export function clusterSyncingReason(cluster: string): HealthReason {
  return {
    status: 'Unknown',
    code: 'ClusterSyncing',
    scope: 'cluster',
    cluster,
    message: `Cluster ${cluster}: initial sync in progress`,
  };
}
