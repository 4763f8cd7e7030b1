import { HealthStatus, ObjectRef } from '../types';
import { HealthReason, HealthReasonCode, HealthReasonScope } from '../reasons';

/**
 * Every {@link HealthStatus} from the best to the worst: the one severity
 * order that aggregation, sorting and views use. Unknown ranks above Healthy
 * so that a service is never called healthy while a cluster cannot be read.
 *
 * @public
 */
export const HEALTH_STATUSES = [
  'Healthy',
  'Unknown',
  'Progressing',
  'Degraded',
  'Failed',
] as const satisfies readonly HealthStatus[];

/**
 * How a service stands in one place (an environment, a cluster): its health,
 * or NotDeployed where it runs in none of the clusters there (see
 * {@link deploymentStateOf}).
 *
 * @public
 */
export type DeploymentState = HealthStatus | 'NotDeployed';

/** Every {@link DeploymentState} from the least to the most pressing. @public */
export const DEPLOYMENT_STATES: readonly DeploymentState[] = [
  'NotDeployed',
  ...HEALTH_STATUSES,
];

const severity = (s: DeploymentState) => DEPLOYMENT_STATES.indexOf(s);

/** Sort order for lists, worst first. @public */
export function compareWorstFirst(
  a: DeploymentState,
  b: DeploymentState,
): number {
  return severity(b) - severity(a);
}

/** The most severe of the given statuses; Healthy for none. @public */
export function worstStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = 'Healthy';
  for (const s of statuses) {
    if (severity(s) > severity(worst)) worst = s;
  }
  return worst;
}

/** Status implied by a list of reasons. @public */
export function statusOf(reasons: HealthReason[]): HealthStatus {
  return worstStatus(reasons.map(r => r.status));
}

/**
 * The findings about one object, and a way to add one; Kubernetes' own
 * reason is kept where it named the cause.
 *
 * @internal
 */
export function findings(scope: HealthReasonScope, object: ObjectRef) {
  const reasons: HealthReason[] = [];
  const add = (
    status: HealthStatus,
    code: HealthReasonCode,
    message: string,
    kubernetesReason?: string,
  ) => {
    reasons.push({
      status,
      code,
      scope,
      message,
      object,
      ...(kubernetesReason ? { kubernetesReason } : {}),
    });
  };
  return { reasons, add };
}

/** Lowers a reason to at most `max` (e.g. a failing pod of a workload that still serves). @internal */
export function capReason(
  reason: HealthReason,
  max: HealthStatus,
): HealthReason {
  return severity(reason.status) > severity(max)
    ? { ...reason, status: max }
    : reason;
}

/** Options shared by the rules; `now` keeps them pure and testable. @public */
export interface RuleOptions {
  /** The time to judge ages against (default: the current time). */
  now?: Date;
  /** Restarts and Warning events older than this no longer count (default 15 min). */
  recentWindowMs?: number;
  /** A not-ready container younger than this is Progressing, not Degraded (default 2 min). */
  startupGraceMs?: number;
  /**
   * An HPA younger than this that has no metrics yet is Progressing, not
   * Degraded: the metrics pipeline needs a scrape or two of new pods (default 3 min).
   */
  hpaWarmupMs?: number;
}

/** @internal */
export function resolveOptions(o: RuleOptions = {}) {
  return {
    now: (o.now ?? new Date()).getTime(),
    recentWindowMs: o.recentWindowMs ?? 15 * 60_000,
    startupGraceMs: o.startupGraceMs ?? 2 * 60_000,
    hpaWarmupMs: o.hpaWarmupMs ?? 3 * 60_000,
  };
}

/** @internal */
export function time(t: Date | string | undefined | null): number | undefined {
  if (!t) return undefined;
  const ms = new Date(t).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** @internal */
export function iso(t: Date | string | undefined | null): string | undefined {
  const ms = time(t);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
