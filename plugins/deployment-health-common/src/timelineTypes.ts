/*
 * The change timeline of a service per cluster, as the backend persists it
 * and the REST API returns it. Plain JSON.
 */
import type { HealthReason } from './reasons';
import type { HealthStatus } from './types';

/**
 * How a rollout ended, as far as the cluster still shows it:
 * - progressing: the Deployment is still rolling this revision out;
 * - complete: every replica runs it and is available;
 * - stuck: the controller reported ProgressDeadlineExceeded;
 * - rolled back: the next revision went back to an older template;
 * - superseded: a newer revision replaced it before it was seen to finish.
 *
 * @public
 */
export type RolloutResult =
  | 'progressing'
  | 'complete'
  | 'stuck'
  | 'rolled back'
  | 'superseded';

/** One rollout of a Deployment: one revision, from the version before it. @public */
export interface RolloutChange {
  /** The Deployment. */
  workload: { kind: 'Deployment'; name: string; uid: string };
  /** `deployment.kubernetes.io/revision` of the rollout. */
  revision: number;
  /** Version of the revision before (see workloadVersion for how a version is told). */
  from?: string;
  /** Version rolled out. */
  to?: string;
  /** Images of the previous revision's pod template. */
  fromImages: string[];
  /** Images of this revision's pod template. */
  toImages: string[];
  /** Creation of the revision's ReplicaSet, when the revision made it (not when a rollback reused one). */
  startedAt?: string;
  /** When the controller reported it finished (complete) or gave up (stuck). */
  endedAt?: string;
  /** How it ended, or that it has not. */
  result: RolloutResult;
}

/** A change of a service's status in one cluster. @public */
export interface StatusTransition {
  /** Status before; absent for the first status recorded. */
  from?: HealthStatus;
  /** Status after. */
  to: HealthStatus;
  /** The findings that made the new status (at most a few, worst first). */
  reasons: HealthReason[];
}

/** The autoscaler changed the replica count of its workload. @public */
export interface ScaleChange {
  /** The HorizontalPodAutoscaler. */
  hpa: { name: string; uid: string };
  /** The workload it scales. */
  target: { kind: string; name: string };
  /** Desired replicas before, when an earlier scale is recorded. */
  from?: number;
  /** Desired replicas after. */
  to: number;
  /** The autoscaler's lower bound at the time. */
  minReplicas?: number;
  /** Its upper bound at the time. */
  maxReplicas: number;
}

/** One entry of a service's timeline in one cluster. @public */
export type TimelineEntry = {
  /** Entry id, unique in the backend's database. */
  id: string;
  cluster: string;
  /** Environment of the cluster, when it is configured now. */
  environment?: string;
  namespace: string;
  /** When it happened (rollout: its start) as an ISO timestamp. */
  at: string;
} & (
  | { type: 'rollout'; rollout: RolloutChange }
  | { type: 'transition'; transition: StatusTransition }
  | { type: 'scale'; scale: ScaleChange }
);

/** A page of an entity's timeline, newest first. @public */
export interface EntityTimelineResponse {
  /** The entity, e.g. component:default/orders. */
  entityRef: string;
  /** Newest first. */
  entries: TimelineEntry[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  nextBefore?: string;
  /** Set for a caller who may read the summary only: no images, no Kubernetes messages. */
  detailsRestricted?: boolean;
  /** Why there is no timeline for this entity, if there is none (e.g. a custom label selector). */
  note?: string;
}
