/*
 * The health report: what the deployment-health REST API returns and what
 * the frontend renders. Plain JSON (dates are ISO strings).
 */

/**
 * Overall status of a pod, workload, cluster or service.
 *
 * Ordered by severity for aggregation (see {@link worstStatus}):
 * Failed > Degraded > Progressing > Unknown > Healthy. Unknown ranks above
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

/** @public */
export const HEALTH_STATUSES: readonly HealthStatus[] = [
  'Healthy',
  'Unknown',
  'Progressing',
  'Degraded',
  'Failed',
];

/** Points at one Kubernetes object. @public */
export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * One finding that contributed to a status; the status of a thing is the
 * worst status among its reasons (Healthy when there are none).
 *
 * @public
 */
export interface HealthReason {
  status: HealthStatus;
  /**
   * Machine-readable code, e.g. CrashLoopBackOff, ImagePullBackOff,
   * OOMKilled, ProgressDeadlineExceeded, ReplicasUnavailable, RolloutInProgress,
   * ContainerRestarts, ContainerNotReady, HpaAtMaxReplicas, WarningEvent,
   * ClusterUnreachable, ClusterUnauthorized, ClusterForbidden, ClusterTimeout,
   * ClusterStale, NotDeployed, ObservedGenerationStale.
   */
  code: string;
  message: string;
  object?: ObjectRef;
}

/** @public */
export interface ContainerHealth {
  name: string;
  image: string;
  /** Init containers are reported too, flagged. */
  init?: boolean;
  ready: boolean;
  restartCount: number;
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  /** Waiting or terminated reason, e.g. CrashLoopBackOff, ImagePullBackOff, Completed. */
  reason?: string;
  message?: string;
  lastTermination?: {
    reason?: string;
    exitCode?: number;
    finishedAt?: string;
  };
}

/** @public */
export interface PodHealth {
  name: string;
  namespace: string;
  /** Pod phase: Pending, Running, Succeeded, Failed, Unknown. */
  phase: string;
  ready: boolean;
  restartCount: number;
  nodeName?: string;
  startedAt?: string;
  /** Owning ReplicaSet / StatefulSet / DaemonSet name, if any. */
  owner?: ObjectRef;
  containers: ContainerHealth[];
  status: HealthStatus;
  reasons: HealthReason[];
}

/** @public */
export interface RolloutHealth {
  desired: number;
  current: number;
  updated: number;
  ready: number;
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

/** @public */
export interface HpaHealth {
  name: string;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
  atMax: boolean;
  /** Current and target metric values, e.g. `cpu: 85% / 70%`. */
  metrics: Array<{ name: string; current?: string; target?: string }>;
}

/** @public */
export interface EventSummary {
  type: string;
  reason: string;
  message: string;
  count: number;
  lastTimestamp?: string;
  involvedObject: ObjectRef;
}

/** @public */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

/** @public */
export interface WorkloadHealth {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  status: HealthStatus;
  reasons: HealthReason[];
  /** Images of the pod template (what is being rolled out). */
  images: string[];
  rollout: RolloutHealth;
  hpa?: HpaHealth;
  /** Pod counts; always present, also when `pods` is left out (team view). */
  podSummary: PodSummary;
  /** Every pod; empty in the team view unless `details=true` is asked for. */
  pods: PodHealth[];
  /** Recent Warning events of the workload, its ReplicaSets, pods and HPA, newest first; empty in the team view unless `details=true`. */
  events: EventSummary[];
}

/** @public */
export interface PodSummary {
  total: number;
  ready: number;
  /** Pods whose status is not Healthy. */
  unhealthy: number;
  /** Sum of container restarts over all pods. */
  restarts: number;
}

/**
 * Why a cluster's data is missing or old.
 * - unreachable: connection refused / DNS / TLS failure
 * - unauthorized: HTTP 401 (bad or expired token)
 * - forbidden: HTTP 403 (token lacks list/watch RBAC)
 * - timeout: no answer within the per-cluster request timeout
 * - stale: data is older than the staleness limit while reconnecting
 * - misconfigured: the config entry is unusable (see the message)
 * - unknown: anything else (e.g. HTTP 5xx)
 *
 * @public
 */
export type ClusterErrorType =
  | 'unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'timeout'
  | 'stale'
  | 'misconfigured'
  | 'unknown';

/** @public */
export interface ClusterError {
  type: ClusterErrorType;
  /** Safe to show: never contains tokens or response bodies. */
  message: string;
  statusCode?: number;
  /** When the cluster started failing. */
  since: string;
}

/** Status of the watch cache for one cluster. @public */
export interface ClusterStatus {
  name: string;
  title?: string;
  environment: string;
  /** ok: synced and watching; syncing: first list not done yet; error: see `error`. */
  state: 'ok' | 'syncing' | 'error';
  error?: ClusterError;
  /** Last time the cache was known to be in sync with the API server. */
  lastSyncedAt?: string;
  /** Number of cached objects, by kind. */
  objectCounts?: Record<string, number>;
}

/** Health of one service in one cluster. @public */
export interface ClusterHealth {
  cluster: string;
  title?: string;
  environment: string;
  status: HealthStatus;
  reasons: HealthReason[];
  workloads: WorkloadHealth[];
  /** Pods that belong to no tracked workload (bare pods, Jobs). */
  otherPods: PodHealth[];
  /** Set when the data is missing or may be old; data from cache is still included. */
  error?: ClusterError;
  lastSyncedAt?: string;
  /** cache: from the watch cache; query: from a bounded on-demand query (custom label selector). */
  source: 'cache' | 'query';
  /** True when an on-demand query hit its object limit. */
  truncated?: boolean;
}

/** Health of one catalog entity across all clusters. @public */
export interface EntityHealth {
  /** e.g. component:default/payments */
  entityRef: string;
  title?: string;
  status: HealthStatus;
  reasons: HealthReason[];
  /** One entry per cluster the service is deployed to, plus clusters that could not be read. */
  clusters: ClusterHealth[];
}

/** Response of GET /entity/:namespace/:kind/:name. @public */
export interface EntityHealthResponse extends EntityHealth {
  generatedAt: string;
}

/**
 * Response of GET /group/:namespace/:name. To stay fast for large teams,
 * `workloads[].pods`, `workloads[].events` and `otherPods` are empty unless
 * the request has `details=true`; `podSummary` and all reasons are always there.
 *
 * @public
 */
export interface GroupHealthResponse {
  groupRef: string;
  /** The group itself plus, with includeChildren=true, all descendant groups. */
  groupRefs: string[];
  status: HealthStatus;
  /** One entry per owned component the caller may read, sorted by entityRef. */
  entities: Array<EntityHealth & { owner: string }>;
  /** Status of every cluster, so errors are reported beside the data. */
  clusters: ClusterStatus[];
  generatedAt: string;
}

/** Response of GET /clusters. @public */
export interface ClustersResponse {
  clusters: ClusterStatus[];
}
