/*
 * The per-cluster and per-service reports, and the REST API's responses.
 */
import type { HealthReason } from './reasons';
import type { HealthStatus, WorkloadHealth, PodHealth } from './types';
import type { ServiceVersions } from './versionTypes';

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
  /**
   * Last time the cached data was confirmed current: a list, a watch event
   * or bookmark, or an answered liveness check while the watches are open.
   */
  lastSyncedAt?: string;
  /** True once `lastSyncedAt` is older than the backend's `staleAfterSeconds`, whatever the cause. */
  stale?: boolean;
  /** Number of cached objects, by kind. */
  objectCounts?: Record<string, number>;
  /**
   * The cluster's own health from its nodes (see clusterNodeHealth), beside
   * the connection state above. For callers with the clusters permission;
   * without `deployment-health.nodes.read` in the restricted form (see
   * `nodeDetailsRestricted`).
   */
  health?: ClusterNodeHealth;
}

/** The health of a cluster itself: its nodes, capacity and versions. @public */
export type ClusterHealthStatus = 'Healthy' | 'Degraded' | 'Failed' | 'Unknown';

/** Allocatable or requested resources: CPU in millicores, memory in bytes. @public */
export interface NodeResources {
  /** CPU in millicores. */
  cpuMillis: number;
  /** Memory in bytes. */
  memoryBytes: number;
  /** Pod slots (allocatable) or pods (requested). */
  pods: number;
}

/** One node as the cluster health shows it. @public */
export interface NodeHealth {
  /** The Node's name. */
  name: string;
  /** Worst status among `reasons`. */
  status: ClusterHealthStatus;
  /** The Ready condition's status; Unknown also when the node reports none. */
  ready: 'True' | 'False' | 'Unknown';
  /** When the Ready condition last changed. */
  readySince?: string;
  /** Cordoned: no new pods are scheduled here. */
  unschedulable: boolean;
  /** As the node reports it (`status.nodeInfo.kubeletVersion`). */
  kubeletVersion?: string;
  /** What the node offers to pods. */
  allocatable?: NodeResources;
  /** The node's findings. */
  reasons: HealthReason[];
  /**
   * On a sick node: the services whose pods run here, by their
   * `backstage.io/kubernetes-id` label and namespace (the owning team's, by
   * the golden-path convention), sorted; absent when none does.
   */
  services?: NodeService[];
}

/** A service with pods on a node: its kubernetes-id label and namespace. @public */
export interface NodeService {
  /** The pods' `backstage.io/kubernetes-id` label. */
  id: string;
  /** The pods' namespace. */
  namespace: string;
  /** The teams (group refs) that own the namespace by `shipyard.tenancy`; absent when none does. */
  teams?: string[];
}

/** The cluster's health from its nodes. @public */
export interface ClusterNodeHealth {
  /** Worst status among `reasons`. */
  status: ClusterHealthStatus;
  /** Node findings first (by node), then the cluster's. */
  reasons: HealthReason[];
  /** Nodes whose Ready condition is True, of all; absent when nodes could not be read. */
  nodes?: { ready: number; total: number };
  /** Sum over the nodes. */
  allocatable?: NodeResources;
  /** Requests of the running and pending pods the cache holds (those labelled with a kubernetes-id), on nodes. */
  requested?: NodeResources;
  /** The API server's version (gitVersion), when known. */
  controlPlaneVersion?: string;
  /** The distinct kubelet versions, sorted. */
  kubeletVersions?: string[];
  /** The nodes with any finding. */
  sickNodes?: NodeHealth[];
  /**
   * True when the caller may not read the node details
   * (`deployment-health.nodes.read`): then only `status`, `nodes` and the
   * reasons are given, and a node's findings are folded into one reason per
   * code that counts the nodes, without their names, versions or messages.
   */
  nodeDetailsRestricted?: boolean;
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
  /** Last time the cluster's data was confirmed current (ISO timestamp). */
  lastSyncedAt?: string;
  /** True once `lastSyncedAt` is older than the backend's `staleAfterSeconds`, whatever the cause. */
  stale?: boolean;
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
  /** What version runs in each environment, and where an environment is behind another. */
  versions?: ServiceVersions;
  /**
   * True when the caller may read only the summary (not
   * `deployment-health.entity.read`): no pods, images, events, object names
   * in reasons or Kubernetes messages; reason messages are generic.
   */
  detailsRestricted?: boolean;
}

/** Response of GET /entity/:namespace/:kind/:name. @public */
export interface EntityHealthResponse extends EntityHealth {
  /** When the report was computed (ISO timestamp). */
  generatedAt: string;
}

/**
 * Response of GET /group/:namespace/:name. To stay fast for large teams,
 * `workloads[].pods` and `workloads[].events` are empty, and `otherPods[].containers`, unless
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
  /**
   * Set when the team owns more components than one team view reports
   * (`deploymentHealth.maxGroupComponents`): how many were left out.
   */
  componentsLeftOut?: number;
  /** Status of every cluster, so errors are reported beside the data. */
  clusters: ClusterStatus[];
  /** Set while clusters are announced but not configured yet (see {@link ClustersPreparing}). */
  preparing?: ClustersPreparing;
  /** When the report was computed (ISO timestamp). */
  generatedAt: string;
}

/** Response of GET /clusters. @public */
export interface ClustersResponse {
  /** Every configured cluster. */
  clusters: ClusterStatus[];
  /** Set while clusters are announced but not configured yet (see {@link ClustersPreparing}). */
  preparing?: ClustersPreparing;
}

/**
 * Clusters that are on their way (`deploymentHealth.preparingClusters`),
 * e.g. local clusters still being built: the views show this instead of
 * "no cluster configured".
 *
 * @public
 */
export interface ClustersPreparing {
  /** What is happening, e.g. "building kube-apiserver". */
  message: string;
  /** The current step, from 1, when the preparation counts its steps. */
  step?: number;
  /** How many steps there are. */
  steps?: number;
}
