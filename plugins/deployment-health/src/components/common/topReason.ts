import {
  HealthReason,
  HealthStatus,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';

/**
 * The reason that best explains a status in one line: among the reasons
 * with that status, a sick node the pods run on (NotReady, pressure) beats
 * what it does to them, and a pod/container cause (CrashLoopBackOff,
 * ImagePullBackOff, OOMKilled ...) beats its rollout symptom
 * (ProgressDeadlineExceeded, ReplicasUnavailable).
 */
export function topReason(thing: {
  status: HealthStatus;
  reasons: HealthReason[];
}): HealthReason | undefined {
  if (thing.status === 'Healthy') return undefined;
  const same = thing.reasons.filter(r => r.status === thing.status);
  return (
    same.find(r => r.scope === 'node') ??
    same.find(r => r.object?.kind === 'Pod') ??
    same[0]
  );
}
