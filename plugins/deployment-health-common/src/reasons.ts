/*
 * Why a thing has its status: the findings of the health rules.
 */
import type { HealthStatus, ObjectRef } from './types';

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
  'NamespaceObjectCap',
  // the cluster's own health: its nodes (see rules/nodes.ts)
  'NodeNotReady',
  'NodeStatusUnknown',
  'NodeMemoryPressure',
  'NodeDiskPressure',
  'NodePIDPressure',
  'NodeNetworkUnavailable',
  'NodeCordoned',
  'NodeNoExecuteTaint',
  'NodeVersionSkew',
  'NoNodes',
  'NoNodeReady',
  'NodesForbidden',
  // the service as a whole
  'NotDeployed',
  // not read: the tenancy rules refused an annotation, or a budget ran out
  'AnnotationRefused',
  'NoTeamOwner',
  'TooManyCustomSelectors',
] as const;

/** Machine-readable code of a {@link HealthReason}. @public */
export type HealthReasonCode = (typeof HEALTH_REASON_CODES)[number];

/**
 * What a finding is about, which is where a view shows it:
 * - pod: one pod or its containers (`object` is the pod);
 * - workload: a workload's rollout, HPA or events, or its pods' findings
 *   grouped ("CrashLoopBackOff on 3 of 3 pods");
 * - cluster: the cluster's data is missing or old, or the cluster as a whole
 *   (no node ready; nodes not readable) (`cluster` names it);
 * - node: one node of the cluster (`object` is the Node, `cluster` names the cluster);
 * - service: the service as a whole (NotDeployed).
 *
 * @public
 */
export type HealthReasonScope =
  | 'pod'
  | 'workload'
  | 'cluster'
  | 'node'
  | 'service';

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
  /** The entity annotation a finding is about (AnnotationRefused). */
  annotation?: string;
  /**
   * The Kubernetes permission the cluster's reader lacks (NodesForbidden),
   * as RBAC spells it, e.g. `list/watch nodes`.
   */
  permission?: string;
}
