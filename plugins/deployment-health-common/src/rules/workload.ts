import type {
  CoreV1Event,
  V1Pod,
  V1ReplicaSet,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { HealthStatus, PodHealth, WorkloadHealth } from '../types';
import { HealthReason } from '../reasons';
import { summarizeEvents } from './events';
import { podHealth } from './pods';
import { capReason, RuleOptions, statusOf } from './status';
import { hpaHealth, isMetricsFailure } from './hpa';
import { rolloutHealth, Workload } from './rollout';
import { workloadVersion } from './versions';

/**
 * Many pods usually fail the same way; one reason per code keeps the report
 * readable ("CrashLoopBackOff on 30 of 30 pods"). Grouped into a workload,
 * they are the workload's findings.
 *
 * @internal
 */
export function groupPodReasons(
  pods: PodHealth[],
  scope: 'workload' | 'pod',
  cap?: HealthStatus,
): HealthReason[] {
  // Same code and same Kubernetes reason: Evicted pods apart from OOM-killed ones.
  const groups = new Map<string, HealthReason[]>();
  for (const p of pods) {
    for (const r of p.reasons) {
      const key = `${r.code}\0${r.kubernetesReason ?? ''}`;
      const list = groups.get(key) ?? [];
      list.push(cap ? capReason(r, cap) : r);
      groups.set(key, list);
    }
  }
  return [...groups.values()].map(rs => {
    const podCount = new Set(rs.map(r => r.object?.name)).size;
    const { code, kubernetesReason, object } = rs[0];
    return {
      status: statusOf(rs),
      code,
      scope,
      message:
        podCount > 1
          ? `${rs[0].message} (${podCount} of ${pods.length} pods)`
          : rs[0].message,
      ...(object ? { object } : {}),
      ...(kubernetesReason ? { kubernetesReason } : {}),
    };
  });
}

/**
 * Health of one workload from its own object, pods, HPA and events.
 *
 * @public
 */
export function workloadHealth(
  workload: Workload,
  related: {
    pods: V1Pod[];
    hpa?: V2HorizontalPodAutoscaler;
    events: CoreV1Event[];
    /** A Deployment's ReplicaSets: where its versions and rollouts come from. */
    replicaSets?: V1ReplicaSet[];
  },
  options?: RuleOptions,
): WorkloadHealth {
  const { rollout, reasons } = rolloutHealth(workload);
  const pods = related.pods
    .map(p => podHealth(p, options))
    .sort((a, b) => a.name.localeCompare(b.name));
  // A failing pod of a workload that still serves degrades it; when nothing
  // is available, the pods' failures are the workload's failure.
  const serving = rollout.available > 0 || rollout.desired === 0;
  reasons.push(
    ...groupPodReasons(pods, 'workload', serving ? 'Degraded' : undefined),
  );
  if (!serving && pods.some(p => p.status === 'Failed')) {
    const i = reasons.findIndex(r => r.code === 'RolloutInProgress');
    if (i >= 0) {
      reasons[i] = {
        ...reasons[i],
        status: 'Failed',
        code: 'NoReplicasAvailable',
      };
    }
  }
  let hpa: WorkloadHealth['hpa'];
  if (related.hpa) {
    const h = hpaHealth(related.hpa, options);
    hpa = h.hpa;
    reasons.push(...h.reasons);
  }
  const ev = summarizeEvents(related.events, options);
  // The HPA's ScalingActive condition says whether it can read metrics now;
  // its metrics-failure events only repeat that (or tell of a warm-up that is
  // over), so they are listed but do not count again.
  const counted = related.events.filter(
    e =>
      !(
        e.involvedObject?.kind === 'HorizontalPodAutoscaler' &&
        isMetricsFailure(e.reason)
      ),
  );
  reasons.push(...summarizeEvents(counted, options).reasons);
  const containers = workload.spec?.template?.spec?.containers ?? [];
  return {
    kind: workload.kind,
    name: workload.metadata?.name ?? '',
    namespace: workload.metadata?.namespace ?? '',
    status: statusOf(reasons),
    reasons,
    images: containers.map(c => c.image ?? ''),
    rollout,
    version: workloadVersion(workload, related, rollout),
    ...(hpa ? { hpa } : {}),
    podSummary: {
      total: pods.length,
      ready: pods.filter(p => p.ready).length,
      unhealthy: pods.filter(p => p.status !== 'Healthy').length,
      restarts: pods.reduce((n, p) => n + p.restartCount, 0),
    },
    pods,
    events: ev.events,
  };
}
