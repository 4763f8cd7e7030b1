/*
 * The health report: what the deployment-health REST API returns and what
 * the frontend renders. Plain JSON (dates are ISO strings).
 */

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

/**
 * Container waiting reasons after which a container will not start without a
 * change (the kubelet is backing off, or the spec or image is wrong). They are
 * Kubernetes' own words and are reported as codes as they are.
 *
 * @public
 */
export const FAILED_CONTAINER_REASONS = [
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'PreStartHookError',
  'PostStartHookError',
] as const;

/**
 * Every code a {@link HealthReason} can have, by what it is about.
 *
 * @public
 */
export const HEALTH_REASON_CODES = [
  // a pod or one of its containers
  ...FAILED_CONTAINER_REASONS,
  'Terminating',
  'PodFailed',
  'Unschedulable',
  'OOMKilled',
  'ContainerTerminated',
  'ContainerRestarts',
  'ContainerStarting',
  'ContainerNotReady',
  // a workload's rollout, its HPA, its events
  'ProgressDeadlineExceeded',
  'ReplicaFailure',
  'RolloutInProgress',
  'NoReplicasAvailable',
  'ObservedGenerationStale',
  'ReplicasUnavailable',
  'ScaledToZero',
  'HpaAtMaxReplicas',
  'HpaMetricsWarmingUp',
  'ScalingInactive',
  'WarningEvent',
  // the cluster's data: missing or old
  'ClusterUnreachable',
  'ClusterUnauthorized',
  'ClusterForbidden',
  'ClusterTimeout',
  'ClusterStale',
  'ClusterMisconfigured',
  'ClusterError',
  'ClusterSyncing',
  // the service as a whole
  'NotDeployed',
] as const;

/** Machine-readable code of a {@link HealthReason}. @public */
export type HealthReasonCode = (typeof HEALTH_REASON_CODES)[number];

/**
 * What a finding is about, which is where a view shows it:
 * - pod: one pod or its containers (`object` is the pod);
 * - workload: a workload's rollout, HPA or events, or its pods' findings
 *   grouped ("CrashLoopBackOff on 3 of 3 pods");
 * - cluster: the cluster's data is missing or old (`cluster` names it);
 * - service: the service as a whole (NotDeployed).
 *
 * @public
 */
export type HealthReasonScope = 'pod' | 'workload' | 'cluster' | 'service';

/**
 * One finding that contributed to a status; the status of a thing is the
 * worst status among its reasons (Healthy when there are none). Views read
 * the structured fields (`code`, `scope`, `cluster`, `object`); `message` is
 * for people only.
 *
 * @public
 */
export interface HealthReason {
  /** The status this finding implies. */
  status: HealthStatus;
  /** Machine-readable code, one of {@link HEALTH_REASON_CODES}. */
  code: HealthReasonCode;
  /** What the finding is about. */
  scope: HealthReasonScope;
  /** Human readable explanation, safe to show to users. */
  message: string;
  /** The cluster the finding was made in: set on cluster findings and on a service's findings gathered over its clusters. */
  cluster?: string;
  /** The object the finding is about, when it is about one. */
  object?: ObjectRef;
  /**
   * Kubernetes' own reason where it named the cause, e.g. Evicted for
   * PodFailed, FailedCreate for ReplicaFailure, ContainerCreating for
   * ContainerStarting, FailedGetResourceMetric for ScalingInactive.
   */
  kubernetesReason?: string;
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

/** Why a cluster could not be read, or why its data may be old. @public */
export interface ClusterError {
  /** Kind of failure. */
  type: ClusterErrorType;
  /** Safe to show: never contains tokens or response bodies. */
  message: string;
  /** HTTP status of the failed Kubernetes API call, when there was one. */
  statusCode?: number;
  /** When the cluster started failing. */
  since: string;
}

/** Status of the watch cache for one cluster. @public */
export interface ClusterStatus {
  /** Configured cluster name. */
  name: string;
  /** Display name, when configured. */
  title?: string;
  /** Environment of the cluster, e.g. dev or prod. */
  environment: string;
  /** ok: synced and watching; syncing: first list not done yet; error: see `error`. */
  state: 'ok' | 'syncing' | 'error';
  /** The current error, when `state` is error. */
  error?: ClusterError;
  /** Last time the cache was known to be in sync with the API server. */
  lastSyncedAt?: string;
  /** Number of cached objects, by kind. */
  objectCounts?: Record<string, number>;
}

/** Health of one service in one cluster. @public */
export interface ClusterHealth {
  /** Configured cluster name. */
  cluster: string;
  /** Display name of the cluster, when configured. */
  title?: string;
  /** Environment of the cluster, e.g. dev or prod. */
  environment: string;
  /** Worst status among `reasons`. */
  status: HealthStatus;
  /** Findings of the workloads, the other pods and the cluster error. */
  reasons: HealthReason[];
  /** The service's workloads in this cluster. */
  workloads: WorkloadHealth[];
  /** Pods that belong to no tracked workload (bare pods, Jobs). */
  otherPods: PodHealth[];
  /** Set when the data is missing or may be old; data from cache is still included. */
  error?: ClusterError;
  /** Last time the cluster's data was known to be current (ISO timestamp). */
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
  /** Display title of the entity, when it has one. */
  title?: string;
  /** Worst status over all clusters and `reasons`. */
  status: HealthStatus;
  /** Non-healthy findings of all clusters, tagged with the cluster; NotDeployed when the service was found nowhere. */
  reasons: HealthReason[];
  /** One entry per cluster the service is deployed to, plus clusters that could not be read. */
  clusters: ClusterHealth[];
}

/** Response of GET /entity/:namespace/:kind/:name. @public */
export interface EntityHealthResponse extends EntityHealth {
  /** When the report was computed (ISO timestamp). */
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
  /** The group asked for, e.g. group:default/payments-team. */
  groupRef: string;
  /** The group itself plus, with includeChildren=true, all descendant groups. */
  groupRefs: string[];
  /** Worst status over all entities. */
  status: HealthStatus;
  /** One entry per owned component the caller may read, sorted by entityRef. */
  entities: Array<EntityHealth & { owner: string }>;
  /** Status of every cluster, so errors are reported beside the data. */
  clusters: ClusterStatus[];
  /** When the report was computed (ISO timestamp). */
  generatedAt: string;
}

/** Response of GET /clusters. @public */
export interface ClustersResponse {
  /** Every configured cluster. */
  clusters: ClusterStatus[];
}
