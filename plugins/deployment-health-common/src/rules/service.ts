import { HealthReason } from '../reasons';
import { ClusterHealth, EntityHealth } from '../reports';
import { DeploymentState, statusOf, worstStatus } from './status';
import { serviceVersions } from './drift';

/** Whether the service runs in the cluster: it has workloads or pods there. @public */
export function isDeployedIn(
  cluster: Pick<ClusterHealth, 'workloads' | 'otherPods'>,
): boolean {
  return cluster.workloads.length > 0 || cluster.otherPods.length > 0;
}

/**
 * NotDeployed, when the service runs in none of the given clusters: Unknown,
 * never Healthy, so that a typo in an annotation does not pass for a healthy
 * service. Undefined when it runs in one of them.
 *
 * @public
 */
export function notDeployedReason(
  clusters: ClusterHealth[],
): HealthReason | undefined {
  if (clusters.some(isDeployedIn)) return undefined;
  return {
    status: 'Unknown',
    code: 'NotDeployed',
    scope: 'service',
    message: clusters.some(c => c.error)
      ? 'No workloads found in the clusters that could be read'
      : 'No workloads found in any cluster',
  };
}

/**
 * How a service stands over some of its clusters (an environment's, say):
 * NotDeployed when it runs in none of them and each of them was read;
 * otherwise the worst of their statuses, and at best Unknown while it is
 * found in none.
 *
 * @public
 */
export function deploymentStateOf(clusters: ClusterHealth[]): DeploymentState {
  const notDeployed = notDeployedReason(clusters);
  const unread = clusters.some(c => c.reasons.some(r => r.scope === 'cluster'));
  if (notDeployed && !unread) return 'NotDeployed';
  return worstStatus([
    ...clusters.map(c => c.status),
    ...(notDeployed ? [notDeployed.status] : []),
  ]);
}

/**
 * Health of one service across clusters: the clusters' findings, each with
 * the cluster it was made in, NotDeployed when it runs in none, and the
 * versions it runs per environment with their drift.
 *
 * @public
 */
export function entityHealth(
  entityRef: string,
  clusters: ClusterHealth[],
  title?: string,
): EntityHealth {
  const reasons: HealthReason[] = clusters.flatMap(c =>
    c.reasons
      .filter(r => r.status !== 'Healthy')
      .map(r => ({ ...r, cluster: c.cluster })),
  );
  const notDeployed = notDeployedReason(clusters);
  if (notDeployed) reasons.push(notDeployed);
  return {
    entityRef,
    ...(title ? { title } : {}),
    status: worstStatus([statusOf(reasons), ...clusters.map(c => c.status)]),
    reasons,
    clusters,
    versions: serviceVersions(clusters),
  };
}
