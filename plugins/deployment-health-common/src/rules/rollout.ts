import type {
  V1DaemonSet,
  V1Deployment,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { ObjectRef, RolloutHealth, WorkloadKind } from '../types';
import { HealthReason } from '../reasons';
import { findings, iso } from './status';

/** A workload object of one of the tracked kinds. @public */
export type Workload =
  | (V1Deployment & { kind: 'Deployment' })
  | (V1StatefulSet & { kind: 'StatefulSet' })
  | (V1DaemonSet & { kind: 'DaemonSet' });

/** @internal */
export function workloadRef(w: {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}): ObjectRef {
  return {
    kind: w.kind ?? '',
    namespace: w.metadata?.namespace,
    name: w.metadata?.name ?? '',
  };
}

/**
 * Rollout state of a workload plus the reasons it implies on its own
 * (pods and HPA are folded in by workloadHealth).
 *
 * @public
 */
export function rolloutHealth(w: Workload): {
  rollout: RolloutHealth;
  reasons: HealthReason[];
} {
  const ref = workloadRef(w);
  const label = `${w.kind} ${ref.name}`;
  const generation = w.metadata?.generation;
  const observed = w.status?.observedGeneration;
  const observedLatestGeneration =
    generation === undefined ||
    (observed !== undefined && observed >= generation);

  let desired: number;
  let current: number;
  let updated: number;
  let ready: number;
  let available: number;
  let revisionDone = true;
  let conditions: RolloutHealth['conditions'] = [];

  if (w.kind === 'DaemonSet') {
    const s = w.status;
    desired = s?.desiredNumberScheduled ?? 0;
    current = s?.currentNumberScheduled ?? 0;
    updated = s?.updatedNumberScheduled ?? 0;
    ready = s?.numberReady ?? 0;
    available = s?.numberAvailable ?? 0;
  } else if (w.kind === 'StatefulSet') {
    const s = w.status;
    desired = w.spec?.replicas ?? 1;
    current = s?.replicas ?? 0;
    updated = s?.updatedReplicas ?? 0;
    ready = s?.readyReplicas ?? 0;
    available = s?.availableReplicas ?? ready;
    // OnDelete never converges by itself: only judge revisions for RollingUpdate.
    if (w.spec?.updateStrategy?.type !== 'OnDelete') {
      revisionDone =
        !s?.updateRevision || s.currentRevision === s.updateRevision;
    }
  } else {
    const s = w.status;
    desired = w.spec?.replicas ?? 1;
    current = s?.replicas ?? 0;
    updated = s?.updatedReplicas ?? 0;
    ready = s?.readyReplicas ?? 0;
    available = s?.availableReplicas ?? 0;
    conditions = (s?.conditions ?? [])
      .filter(
        c =>
          c.type === 'Progressing' ||
          c.type === 'Available' ||
          c.type === 'ReplicaFailure',
      )
      .map(c => ({
        type: c.type,
        status: c.status,
        ...(c.reason ? { reason: c.reason } : {}),
        ...(c.message ? { message: c.message } : {}),
        ...(c.lastTransitionTime
          ? { lastTransitionTime: iso(c.lastTransitionTime) }
          : {}),
      }));
  }

  // "current > updated" means old-revision pods still run (rolling update not done).
  const complete =
    observedLatestGeneration &&
    revisionDone &&
    updated >= desired &&
    available >= desired &&
    current <= desired;

  const { reasons, add } = findings('workload', ref);

  const progressing = conditions.find(c => c.type === 'Progressing');
  const replicaFailure = conditions.find(
    c => c.type === 'ReplicaFailure' && c.status === 'True',
  );
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    add(
      'Failed',
      'ProgressDeadlineExceeded',
      `${label} rollout exceeded its progress deadline${
        progressing.message ? `: ${progressing.message}` : ''
      }`,
    );
  }
  if (replicaFailure) {
    add(
      'Failed',
      'ReplicaFailure',
      replicaFailure.message ?? `${label} cannot create pods`,
      replicaFailure.reason,
    );
  }
  if (desired > 0 && available === 0) {
    // Nothing serves. While a rollout is under way (and within its deadline)
    // that is Progressing; pod reasons such as CrashLoopBackOff escalate it
    // to Failed in workloadHealth. After a finished rollout it is Failed.
    const rolling =
      w.kind === 'Deployment'
        ? progressing?.reason !== 'NewReplicaSetAvailable' &&
          progressing?.status !== 'False'
        : !observedLatestGeneration ||
          updated < desired ||
          !revisionDone ||
          ready < desired;
    if (rolling) {
      add(
        'Progressing',
        'RolloutInProgress',
        `${label}: 0 of ${desired} replicas available yet`,
      );
    } else {
      add(
        'Failed',
        'NoReplicasAvailable',
        `${label}: 0 of ${desired} replicas available`,
      );
    }
  } else if (!complete && reasons.length === 0) {
    // (skipped when the rollout already failed: "in progress" would contradict it)
    if (!observedLatestGeneration) {
      add(
        'Progressing',
        'ObservedGenerationStale',
        `${label}: controller has not yet observed generation ${generation}`,
      );
    } else if (updated < desired || current > desired || !revisionDone) {
      add(
        'Progressing',
        'RolloutInProgress',
        `${label}: ${updated} of ${desired} replicas updated, ${available} available`,
      );
    } else {
      add(
        'Degraded',
        'ReplicasUnavailable',
        `${label}: ${available} of ${desired} replicas available`,
      );
    }
  }
  if (desired === 0) {
    add('Healthy', 'ScaledToZero', `${label} is scaled to zero`);
  }
  // Deployments number their rollouts in an annotation (what `kubectl rollout
  // history` shows); StatefulSets and DaemonSets name a controller revision.
  const revision =
    w.metadata?.annotations?.['deployment.kubernetes.io/revision'] ??
    (w.kind === 'StatefulSet' ? w.status?.updateRevision : undefined);

  return {
    rollout: {
      desired,
      current,
      updated,
      ready,
      available,
      observedLatestGeneration,
      conditions,
      complete,
      ...(revision ? { revision } : {}),
    },
    reasons,
  };
}

/** @internal */
export function workloadKind(
  kind: string | undefined,
): WorkloadKind | undefined {
  return kind === 'Deployment' || kind === 'StatefulSet' || kind === 'DaemonSet'
    ? kind
    : undefined;
}
