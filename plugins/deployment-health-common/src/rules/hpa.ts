import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { HpaHealth, ObjectRef } from '../types';
import { HealthReason } from '../reasons';
import { resolveOptions, RuleOptions, time } from './status';

function quantity(
  v:
    | { averageUtilization?: number; averageValue?: string; value?: string }
    | undefined,
) {
  if (!v) return undefined;
  if (v.averageUtilization !== undefined) return `${v.averageUtilization}%`;
  return v.averageValue ?? v.value;
}

/**
 * HPA state (autoscaling/v2); at max replicas means the service cannot scale
 * further under load.
 *
 * @public
 */
export function hpaHealth(
  hpa: V2HorizontalPodAutoscaler,
  options?: RuleOptions,
): {
  hpa: HpaHealth;
  reasons: HealthReason[];
} {
  const name = hpa.metadata?.name ?? '';
  const min = hpa.spec?.minReplicas ?? 1;
  const max = hpa.spec?.maxReplicas ?? 0;
  const current = hpa.status?.currentReplicas ?? 0;
  const desired = hpa.status?.desiredReplicas ?? 0;
  // A fixed-size HPA (min == max) is always at max: that is its design, not a
  // capacity warning.
  const atMax = max > 0 && min < max && current >= max && desired >= max;

  const metricName = (m: any): string =>
    m?.resource?.name ??
    m?.containerResource?.name ??
    m?.pods?.metric?.name ??
    m?.object?.metric?.name ??
    m?.external?.metric?.name ??
    m?.type ??
    'metric';
  const currentByName = new Map(
    (hpa.status?.currentMetrics ?? []).map(m => [
      metricName(m),
      quantity((m as any)[lowerFirst(m.type)]?.current),
    ]),
  );
  const metrics = (hpa.spec?.metrics ?? []).map(m => ({
    name: metricName(m),
    current: currentByName.get(metricName(m)),
    target: quantity((m as any)[lowerFirst(m.type)]?.target),
  }));

  const reasons: HealthReason[] = [];
  const ref: ObjectRef = {
    kind: 'HorizontalPodAutoscaler',
    namespace: hpa.metadata?.namespace,
    name,
  };
  if (atMax) {
    reasons.push({
      status: 'Degraded',
      code: 'HpaAtMaxReplicas',
      scope: 'workload',
      message: `HPA ${name} is pinned at its maximum of ${max} replicas`,
      object: ref,
    });
  }
  const unable = hpa.status?.conditions?.find(
    c => c.type === 'ScalingActive' && c.status === 'False',
  );
  if (unable) {
    // A new HPA has no metrics until the pipeline has scraped its pods: that
    // is start-up, not a fault, for the first few minutes.
    const { now, hpaWarmupMs } = resolveOptions(options);
    const created = time(hpa.metadata?.creationTimestamp);
    const warmingUp =
      isMetricsFailure(unable.reason) &&
      created !== undefined &&
      now - created < hpaWarmupMs;
    reasons.push(
      warmingUp
        ? {
            status: 'Progressing',
            code: 'HpaMetricsWarmingUp',
            scope: 'workload',
            message: `HPA ${name} is waiting for its first metrics`,
            object: ref,
          }
        : {
            status: 'Degraded',
            code: 'ScalingInactive',
            scope: 'workload',
            message: `HPA ${name} cannot scale: ${
              unable.message ?? unable.reason
            }`,
            object: ref,
            ...(unable.reason ? { kubernetesReason: unable.reason } : {}),
          },
    );
  }
  return {
    hpa: {
      name,
      minReplicas: min,
      maxReplicas: max,
      currentReplicas: current,
      desiredReplicas: desired,
      atMax,
      metrics,
    },
    reasons,
  };
}

/**
 * Reasons the HPA controller gives (as ScalingActive=False and as Warning
 * events) when it cannot read metrics.
 *
 * @internal
 */
export function isMetricsFailure(reason: string | undefined): boolean {
  return /^Failed(Get\w*Metric|ComputeMetricsReplicas)$/.test(reason ?? '');
}

function lowerFirst(s: string | undefined): string {
  if (!s) return '';
  // ContainerResource -> containerResource, Resource -> resource
  return s[0].toLowerCase() + s.slice(1);
}
