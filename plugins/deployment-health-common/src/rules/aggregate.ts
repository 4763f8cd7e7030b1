import type {
  CoreV1Event,
  V1DaemonSet,
  V1Deployment,
  V1Pod,
  V1ReplicaSet,
  V1StatefulSet,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import {
  ClusterError,
  ClusterHealth,
  EntityHealth,
  HealthReason,
  HealthStatus,
  PodHealth,
  WorkloadHealth,
} from '../types';
import { summarizeEvents } from './events';
import { controllerOf, podHealth } from './pods';
import { capReason, RuleOptions, statusOf, worstStatus } from './status';
import {
  hpaHealth,
  isMetricsFailure,
  rolloutHealth,
  Workload,
} from './workloads';

/**
 * The raw objects of one service in one cluster. List API items carry no
 * `kind`, so the kind is given by the array an object is in.
 *
 * @public
 */
export interface ServiceObjects {
  /** The service's Deployments. */
  deployments?: V1Deployment[];
  /** The service's StatefulSets. */
  statefulSets?: V1StatefulSet[];
  /** The service's DaemonSets. */
  daemonSets?: V1DaemonSet[];
  /** ReplicaSets, joined to their Deployment by owner reference. */
  replicaSets?: V1ReplicaSet[];
  /** Pods, joined to their workload by owner references; the rest are reported as other pods. */
  pods?: V1Pod[];
  /** HorizontalPodAutoscalers (autoscaling/v2), joined to their workload by scale target. */
  hpas?: V2HorizontalPodAutoscaler[];
  /** Warning events; those not about one of the objects above are ignored. */
  events?: CoreV1Event[];
}

const key = (kind: string, ns: string | undefined, name: string | undefined) =>
  `${kind}/${ns ?? ''}/${name ?? ''}`;

/**
 * Many pods usually fail the same way; one reason per code keeps the report
 * readable ("CrashLoopBackOff on 30 of 30 pods").
 */
function groupPodReasons(
  pods: PodHealth[],
  cap?: HealthStatus,
): HealthReason[] {
  const groups = new Map<string, HealthReason[]>();
  for (const p of pods) {
    for (const r of p.reasons) {
      const list = groups.get(r.code) ?? [];
      list.push(cap ? capReason(r, cap) : r);
      groups.set(r.code, list);
    }
  }
  return [...groups].map(([code, rs]) => {
    const podCount = new Set(rs.map(r => r.object?.name)).size;
    return {
      status: statusOf(rs),
      code,
      message:
        podCount > 1
          ? `${rs[0].message} (${podCount} of ${pods.length} pods)`
          : rs[0].message,
      object: rs[0].object,
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
  reasons.push(...groupPodReasons(pods, serving ? 'Degraded' : undefined));
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

/** Per-cluster error as a reason, so it shows up in the status. @public */
export function clusterErrorReason(
  cluster: string,
  error: ClusterError,
): HealthReason {
  const code = {
    unreachable: 'ClusterUnreachable',
    unauthorized: 'ClusterUnauthorized',
    forbidden: 'ClusterForbidden',
    timeout: 'ClusterTimeout',
    stale: 'ClusterStale',
    misconfigured: 'ClusterMisconfigured',
    unknown: 'ClusterError',
  }[error.type];
  return {
    status: 'Unknown',
    code,
    message: `Cluster ${cluster}: ${error.message}`,
  };
}

/**
 * Health of one service in one cluster: joins workloads with their
 * ReplicaSets, pods, HPAs and events by owner references, scale targets and
 * involved objects.
 *
 * @public
 */
export function clusterHealth(
  cluster: { name: string; environment: string; title?: string },
  objects: ServiceObjects,
  extra: {
    error?: ClusterError;
    lastSyncedAt?: string;
    source?: ClusterHealth['source'];
    truncated?: boolean;
  } = {},
  options?: RuleOptions,
): ClusterHealth {
  const workloads: Workload[] = [
    ...(objects.deployments ?? []).map(o => ({
      ...o,
      kind: 'Deployment' as const,
    })),
    ...(objects.statefulSets ?? []).map(o => ({
      ...o,
      kind: 'StatefulSet' as const,
    })),
    ...(objects.daemonSets ?? []).map(o => ({
      ...o,
      kind: 'DaemonSet' as const,
    })),
  ];
  // ReplicaSet uid -> owning Deployment uid
  const rsOwner = new Map<string, string>();
  for (const rs of objects.replicaSets ?? []) {
    const owner = controllerOf(rs);
    if (owner?.kind === 'Deployment' && rs.metadata?.uid)
      rsOwner.set(rs.metadata.uid, owner.uid);
  }
  const podsByWorkload = new Map<string, V1Pod[]>();
  const otherPods: V1Pod[] = [];
  // involvedObject uid (or kind/ns/name) -> workload uid, to route events
  const eventTarget = new Map<string, string>();
  for (const w of workloads) {
    const uid =
      w.metadata?.uid ?? key(w.kind, w.metadata?.namespace, w.metadata?.name);
    eventTarget.set(uid, uid);
    eventTarget.set(key(w.kind, w.metadata?.namespace, w.metadata?.name), uid);
  }
  for (const rs of objects.replicaSets ?? []) {
    const owner = rs.metadata?.uid ? rsOwner.get(rs.metadata.uid) : undefined;
    if (owner) {
      eventTarget.set(rs.metadata!.uid!, owner);
      eventTarget.set(
        key('ReplicaSet', rs.metadata?.namespace, rs.metadata?.name),
        owner,
      );
    }
  }
  const workloadUids = new Set(workloads.map(w => w.metadata?.uid));
  for (const pod of objects.pods ?? []) {
    const owner = controllerOf(pod);
    let target: string | undefined;
    if (owner?.kind === 'ReplicaSet') target = rsOwner.get(owner.uid);
    else if (owner && workloadUids.has(owner.uid)) target = owner.uid;
    if (target) {
      podsByWorkload.set(target, [...(podsByWorkload.get(target) ?? []), pod]);
      if (pod.metadata?.uid) eventTarget.set(pod.metadata.uid, target);
      eventTarget.set(
        key('Pod', pod.metadata?.namespace, pod.metadata?.name),
        target,
      );
    } else {
      otherPods.push(pod);
    }
  }
  const hpaByWorkload = new Map<string, V2HorizontalPodAutoscaler>();
  for (const hpa of objects.hpas ?? []) {
    const t = hpa.spec?.scaleTargetRef;
    const w = workloads.find(
      x =>
        x.kind === t?.kind &&
        x.metadata?.name === t?.name &&
        x.metadata?.namespace === hpa.metadata?.namespace,
    );
    const uid =
      w &&
      (w.metadata?.uid ?? key(w.kind, w.metadata?.namespace, w.metadata?.name));
    if (uid) {
      hpaByWorkload.set(uid, hpa);
      if (hpa.metadata?.uid) eventTarget.set(hpa.metadata.uid, uid);
      eventTarget.set(
        key(
          'HorizontalPodAutoscaler',
          hpa.metadata?.namespace,
          hpa.metadata?.name,
        ),
        uid,
      );
    }
  }
  const eventsByWorkload = new Map<string, CoreV1Event[]>();
  for (const e of objects.events ?? []) {
    const io = e.involvedObject;
    const target =
      (io?.uid && eventTarget.get(io.uid)) ||
      eventTarget.get(key(io?.kind ?? '', io?.namespace, io?.name));
    if (target)
      eventsByWorkload.set(target, [
        ...(eventsByWorkload.get(target) ?? []),
        e,
      ]);
  }

  const workloadHealths = workloads
    .map(w => {
      const uid =
        w.metadata?.uid ?? key(w.kind, w.metadata?.namespace, w.metadata?.name);
      return workloadHealth(
        w,
        {
          pods: podsByWorkload.get(uid) ?? [],
          hpa: hpaByWorkload.get(uid),
          events: eventsByWorkload.get(uid) ?? [],
        },
        options,
      );
    })
    .sort((a, b) =>
      `${a.namespace}/${a.kind}/${a.name}`.localeCompare(
        `${b.namespace}/${b.kind}/${b.name}`,
      ),
    );
  const other = otherPods.map(p => podHealth(p, options));

  const reasons: HealthReason[] = [
    ...workloadHealths.flatMap(w => w.reasons),
    ...groupPodReasons(other),
  ];
  if (extra.error) reasons.push(clusterErrorReason(cluster.name, extra.error));
  return {
    cluster: cluster.name,
    ...(cluster.title ? { title: cluster.title } : {}),
    environment: cluster.environment,
    status: statusOf(reasons),
    reasons,
    workloads: workloadHealths,
    otherPods: other,
    ...(extra.error ? { error: extra.error } : {}),
    ...(extra.lastSyncedAt ? { lastSyncedAt: extra.lastSyncedAt } : {}),
    source: extra.source ?? 'cache',
    ...(extra.truncated ? { truncated: true } : {}),
  };
}

/**
 * Health of one service across clusters. A service found nowhere is Unknown
 * (NotDeployed) rather than Healthy.
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
      .map(r =>
        r.message.startsWith(`Cluster ${c.cluster}:`)
          ? r
          : { ...r, message: `[${c.cluster}] ${r.message}` },
      ),
  );
  const deployed = clusters.some(
    c => c.workloads.length > 0 || c.otherPods.length > 0,
  );
  if (!deployed) {
    reasons.push({
      status: 'Unknown',
      code: 'NotDeployed',
      message: clusters.some(c => c.error)
        ? 'No workloads found in the clusters that could be read'
        : 'No workloads found in any cluster',
    });
  }
  return {
    entityRef,
    ...(title ? { title } : {}),
    status: worstStatus([statusOf(reasons), ...clusters.map(c => c.status)]),
    reasons,
    clusters,
  };
}
