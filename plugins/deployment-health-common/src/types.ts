/*
 * The health report: what the deployment-health REST API returns and what
 * the frontend renders. Plain JSON (dates are ISO strings). Reasons are in
 * reasons.ts, the cluster and service reports in reports.ts.
 */
import type { HealthReason } from './reasons';
import type { WorkloadVersion } from './versionTypes';

/**
 * Overall status of a pod, workload, cluster or service.
 *
 * Ordered by severity (see {@link HEALTH_STATUSES}), from worst to best:
 * Failed, Degraded, Progressing, Unknown, Healthy. Unknown ranks above
 * Healthy so that a service is never called healthy while one of its
 * clusters cannot be read.
 *
 * - Healthy: rolled out, all replicas ready and available.
 * - Progressing: a rollout or scale-up is under way and within its deadline.
 * - Degraded: serving, but with fewer ready replicas than desired, restarting
 *   containers, an HPA pinned at max, or recent Warning events.
 * - Failed: not serving (no available replicas) or a rollout that gave up
 *   (ProgressDeadlineExceeded), or containers that cannot start
 *   (CrashLoopBackOff, ImagePullBackOff, OOMKilled loop ...).
 * - Unknown: no data (cluster unreachable before first sync, not deployed).
 *
 * @public
 */
export type HealthStatus =
  | 'Healthy'
  | 'Progressing'
  | 'Degraded'
  | 'Failed'
  | 'Unknown';

/** Points at one Kubernetes object. @public */
export interface ObjectRef {
  /** Object kind, e.g. Deployment, Pod, HorizontalPodAutoscaler. */
  kind: string;
  /** Namespace of the object; absent for cluster-scoped objects. */
  namespace?: string;
  /** Object name. */
  name: string;
}

/** State of one container of a pod. @public */
export interface ContainerHealth {
  /** Container name. */
  name: string;
  /** Image reference, as in the pod spec. */
  image: string;
  /** Init containers are reported too, flagged. */
  init?: boolean;
  /** Whether the container passes its readiness probe. */
  ready: boolean;
  /** Restarts of the container, as counted by the kubelet. */
  restartCount: number;
  /** Current state, as reported by the kubelet. */
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  /** Waiting or terminated reason, e.g. CrashLoopBackOff, ImagePullBackOff, Completed. */
  reason?: string;
  /** Waiting or terminated message, when the kubelet gives one. */
  message?: string;
  /** How the previous run of the container ended, when it was restarted. */
  lastTermination?: {
    reason?: string;
    exitCode?: number;
    finishedAt?: string;
  };
}

/** State of one pod and its containers. @public */
export interface PodHealth {
  /** Pod name. */
  name: string;
  /** Pod namespace. */
  namespace: string;
  /** Pod phase: Pending, Running, Succeeded, Failed, Unknown. */
  phase: string;
  /** Whether the pod has the Ready condition. */
  ready: boolean;
  /** Sum of the restarts of the pod's app containers (init containers not counted). */
  restartCount: number;
  /** Node the pod is scheduled on; absent while unscheduled. */
  nodeName?: string;
  /** When the pod started (ISO timestamp); its creation time until the kubelet reports a start. */
  startedAt?: string;
  /** Owning ReplicaSet / StatefulSet / DaemonSet name, if any. */
  owner?: ObjectRef;
  /** Init and app containers. */
  containers: ContainerHealth[];
  /** Worst status among `reasons`. */
  status: HealthStatus;
  /** Findings about the pod and its containers. */
  reasons: HealthReason[];
}

/** Rollout state of a workload, from its spec and status. @public */
export interface RolloutHealth {
  /** Desired replicas (for a DaemonSet: nodes that should run a pod). */
  desired: number;
  /** Replicas that exist, of any revision. */
  current: number;
  /** Replicas that run the latest pod template. */
  updated: number;
  /** Replicas whose pods are ready. */
  ready: number;
  /** Replicas ready for at least `minReadySeconds`. */
  available: number;
  /** metadata.generation vs status.observedGeneration: false while the controller has not seen the latest spec. */
  observedLatestGeneration: boolean;
  /** Progressing / Available conditions (Deployments), as reported by the API. */
  conditions: Array<{
    type: string;
    status: string;
    reason?: string;
    message?: string;
    lastTransitionTime?: string;
  }>;
  /** True once every replica runs the latest spec and is available. */
  complete: boolean;
  /** Rollout revision: the Deployment's `deployment.kubernetes.io/revision`, or a StatefulSet's update revision. */
  revision?: string;
}

/** State of the HorizontalPodAutoscaler that scales a workload. @public */
export interface HpaHealth {
  /** HPA name. */
  name: string;
  /** Lower bound of the replica count. */
  minReplicas: number;
  /** Upper bound of the replica count. */
  maxReplicas: number;
  /** Replica count the HPA last observed. */
  currentReplicas: number;
  /** Replica count the HPA wants. */
  desiredReplicas: number;
  /** True when the HPA runs at `maxReplicas` and wants at least that many: it cannot scale further. */
  atMax: boolean;
  /** Current and target metric values, e.g. `cpu: 85% / 70%`. */
  metrics: Array<{ name: string; current?: string; target?: string }>;
}

/** A Kubernetes event, reduced to what the report shows. @public */
export interface EventSummary {
  /** Event type: Warning or Normal. */
  type: string;
  /** Short machine-readable reason, e.g. BackOff, FailedScheduling. */
  reason: string;
  /** Human readable message of the event. */
  message: string;
  /** How many times the event happened. */
  count: number;
  /** Last time the event happened (ISO timestamp). */
  lastTimestamp?: string;
  /** The object the event is about. */
  involvedObject: ObjectRef;
}

/** Kinds of workload the report tracks. @public */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

/** Health of one workload with its rollout, HPA, pods and events. @public */
export interface WorkloadHealth {
  /** Workload kind. */
  kind: WorkloadKind;
  /** Workload name. */
  name: string;
  /** Workload namespace. */
  namespace: string;
  /** Worst status among `reasons`. */
  status: HealthStatus;
  /** Findings about the workload, its pods and its HPA. */
  reasons: HealthReason[];
  /** Images of the pod template (what is being rolled out). */
  images: string[];
  /** Rollout state from the workload's spec and status. */
  rollout: RolloutHealth;
  /** The version it runs: images, chart, revision, replica versions and an unfinished rollout. */
  version?: WorkloadVersion;
  /** The HPA that scales the workload, if any. */
  hpa?: HpaHealth;
  /** Pod counts; always present, also when `pods` is left out (team view). */
  podSummary: PodSummary;
  /** Every pod; empty in the team view unless `details=true` is asked for. */
  pods: PodHealth[];
  /** Recent Warning events of the workload, its ReplicaSets, pods and HPA, newest first; empty in the team view unless `details=true`. */
  events: EventSummary[];
}

/** Pod counts of a workload. @public */
export interface PodSummary {
  /** Number of pods. */
  total: number;
  /** Pods that are ready. */
  ready: number;
  /** Pods whose status is not Healthy. */
  unhealthy: number;
  /** Sum of container restarts over all pods. */
  restarts: number;
}
