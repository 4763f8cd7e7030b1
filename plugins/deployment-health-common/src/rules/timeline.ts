import type {
  V1Deployment,
  V1ReplicaSet,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type {
  RolloutChange,
  RolloutResult,
  ScaleChange,
} from '../timelineTypes';
import { controllerOf } from './pods';
import { rolloutHealth } from './rollout';
import { iso } from './status';
import { revisionOf, templateVersion } from './versions';

const ANNOTATION_REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';

/**
 * Every revision a ReplicaSet has stood for: its revision, and the older
 * ones of its `revision-history` (a rollback does not make a new
 * ReplicaSet: the controller gives the old one the next revision and keeps
 * its former numbers there).
 */
function revisionsOf(rs: V1ReplicaSet): number[] {
  const history =
    rs.metadata?.annotations?.[ANNOTATION_REVISION_HISTORY]?.split(',') ?? [];
  return [revisionOf(rs), ...history.map(Number)].filter(
    n => Number.isInteger(n) && n > 0,
  );
}

const imagesOf = (rs: V1ReplicaSet) =>
  (rs.spec?.template?.spec?.containers ?? []).map(c => c.image ?? '');

/**
 * The rollouts of a Deployment that its ReplicaSets still show (the
 * controller keeps `revisionHistoryLimit` of them): one per revision that
 * has a revision before it, from that one's version to its own. The same
 * objects give the same list on every backend replica, which is what lets
 * each of them record it and the database keep one row per revision.
 *
 * - The current revision is complete, stuck (ProgressDeadlineExceeded) or
 *   progressing, as rolloutHealth says.
 * - An older revision was rolled back when the revision after it went back
 *   to a template older than it (a ReplicaSet reused by `rollout undo` or a
 *   Helm rollback); otherwise it was superseded: the objects no longer tell
 *   whether it finished before the next one started.
 *
 * @public
 */
export function deploymentRollouts(
  deployment: V1Deployment,
  replicaSets: V1ReplicaSet[],
): RolloutChange[] {
  const uid = deployment.metadata?.uid ?? '';
  const workload = { ...deployment, kind: 'Deployment' as const };
  const byRevision = new Map<number, V1ReplicaSet>();
  for (const rs of replicaSets) {
    if (controllerOf(rs)?.uid !== uid) continue;
    for (const n of revisionsOf(rs)) byRevision.set(n, rs);
  }
  const revisions = [...byRevision.keys()].sort((a, b) => a - b);
  const current = Number(
    deployment.metadata?.annotations?.['deployment.kubernetes.io/revision'],
  );
  const { rollout } = rolloutHealth(workload);
  const progressing = rollout.conditions.find(c => c.type === 'Progressing');
  const changes: RolloutChange[] = [];
  for (let i = 1; i < revisions.length; i++) {
    const revision = revisions[i];
    const fromRs = byRevision.get(revisions[i - 1])!;
    const toRs = byRevision.get(revision)!;
    if (fromRs === toRs) continue;
    let result: RolloutResult;
    let endedAt: string | undefined;
    if (revision === current) {
      // The Deployment's conditions are about its current revision only.
      if (progressing?.reason === 'ProgressDeadlineExceeded') {
        result = 'stuck';
        endedAt = progressing.lastTransitionTime;
      } else if (rollout.complete) {
        result = 'complete';
        endedAt =
          progressing?.reason === 'NewReplicaSetAvailable'
            ? progressing.lastTransitionTime
            : undefined;
      } else {
        result = 'progressing';
      }
    } else {
      const next = byRevision.get(revisions[i + 1]);
      const wentBack = !!next && revisionsOf(next).some(n => n < revision);
      result = wentBack ? 'rolled back' : 'superseded';
    }
    // A ReplicaSet reused by a rollback was created for an older revision:
    // its creation is not when this one started.
    const made = revisionsOf(toRs).every(n => n >= revision);
    const startedAt = made ? toRs.metadata?.creationTimestamp : undefined;
    const from = templateVersion(fromRs.spec?.template, workload);
    const to = templateVersion(toRs.spec?.template, workload);
    changes.push({
      workload: {
        kind: 'Deployment',
        name: deployment.metadata?.name ?? '',
        uid,
      },
      revision,
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      fromImages: imagesOf(fromRs),
      toImages: imagesOf(toRs),
      ...(startedAt ? { startedAt: iso(startedAt) } : {}),
      ...(endedAt ? { endedAt: iso(endedAt) } : {}),
      result,
    });
  }
  return changes;
}

/**
 * The autoscaler's last rescale, as its status tells it (`lastScaleTime`,
 * `desiredReplicas`): the same on every replica that reads the object, so
 * the time is part of the key the backend records it under. Undefined for
 * an autoscaler that has not scaled yet. `from` is left to the caller,
 * which knows the previous one.
 *
 * @public
 */
export function hpaScale(
  hpa: V2HorizontalPodAutoscaler,
): { at: string; change: Omit<ScaleChange, 'from'> } | undefined {
  const at = iso(hpa.status?.lastScaleTime);
  if (!at || hpa.status?.desiredReplicas === undefined) return undefined;
  return {
    at,
    change: {
      hpa: { name: hpa.metadata?.name ?? '', uid: hpa.metadata?.uid ?? '' },
      target: {
        kind: hpa.spec?.scaleTargetRef?.kind ?? '',
        name: hpa.spec?.scaleTargetRef?.name ?? '',
      },
      to: hpa.status.desiredReplicas,
      ...(hpa.spec?.minReplicas !== undefined
        ? { minReplicas: hpa.spec.minReplicas }
        : {}),
      maxReplicas: hpa.spec?.maxReplicas ?? 0,
    },
  };
}
