import type {
  CoreV1Event,
  V1Node,
  V1DaemonSet,
  V1Deployment,
  V1Pod,
  V1ReplicaSet,
  V1StatefulSet,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { HealthReason } from '../reasons';
import { ClusterError, ClusterHealth } from '../reports';
import { clusterErrorReason, clusterSyncingReason } from './clusterReasons';
import { controllerOf, podHealth } from './pods';
import { RuleOptions, statusOf } from './status';
import { groupPodReasons, workloadHealth } from './workload';
import { nodeImpactReasons } from './nodes';
import { Workload } from './rollout';

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
    /** The cluster's first list is not done yet. */
    syncing?: boolean;
    lastSyncedAt?: string;
    source?: ClusterHealth['source'];
    truncated?: boolean;
    /**
     * The cluster's Node by name, where known: a pod on a sick node then
     * says so, and that cause leads the reasons.
     */
    nodeOf?: (name: string) => V1Node | undefined;
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
  const replicaSetsByWorkload = new Map<string, V1ReplicaSet[]>();
  for (const rs of objects.replicaSets ?? []) {
    const owner = controllerOf(rs);
    if (owner?.kind === 'Deployment' && rs.metadata?.uid) {
      rsOwner.set(rs.metadata.uid, owner.uid);
      replicaSetsByWorkload.set(owner.uid, [
        ...(replicaSetsByWorkload.get(owner.uid) ?? []),
        rs,
      ]);
    }
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
          replicaSets: replicaSetsByWorkload.get(uid) ?? [],
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
    // the cause before the symptoms: pods on a NotReady node are not ready
    ...(extra.nodeOf
      ? nodeImpactReasons(
          cluster.name,
          [...workloadHealths.flatMap(w => w.pods), ...other],
          extra.nodeOf,
          options,
        )
      : []),
    ...workloadHealths.flatMap(w => w.reasons),
    ...groupPodReasons(other, 'pod'),
  ];
  if (extra.error) reasons.push(clusterErrorReason(cluster.name, extra.error));
  if (extra.syncing) reasons.push(clusterSyncingReason(cluster.name));
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
