/*
 * What runs where: the version of each workload (per cluster) and how the
 * versions of a service compare across environments. Plain JSON, part of the
 * health report (WorkloadHealth.version, EntityHealth.versions).
 */
import type { WorkloadKind } from './types';

/** The image of one container, split into its parts. @public */
export interface ContainerVersion {
  /** Container name. */
  name: string;
  /** Image reference, as in the pod template. */
  image: string;
  /** Tag of the image; `latest` when the reference names neither tag nor digest (what the runtime pulls then). */
  tag?: string;
  /**
   * Digest (`sha256:…`): the one the reference pins, else the one every
   * running pod of this template reports in its `imageID`; absent when no
   * pod reports one or they disagree.
   */
  digest?: string;
}

/** A Helm chart, from the `helm.sh/chart` label (`<name>-<version>`). @public */
export interface ChartVersion {
  /** Chart name, e.g. orders-api. */
  name: string;
  /** Chart version, e.g. 1.4.0. */
  version: string;
}

/** How many pods run one version. @public */
export interface ReplicaVersion {
  /** The version the pods run (`unknown` when nothing tells). */
  version: string;
  /** Pods that run it. */
  pods: number;
  /** Of them, ready. */
  ready: number;
}

/** A rollout from one version to another that the controller has not finished. @public */
export interface VersionRollout {
  /** Version the old replicas run. */
  from: string;
  /** Version being rolled out (the pod template's). */
  to: string;
  /** stuck: the Deployment exceeded its progress deadline (ProgressDeadlineExceeded). */
  state: 'progressing' | 'stuck';
  /** When the rollout started: creation of the new ReplicaSet, when known. */
  startedAt?: string;
}

/**
 * Where a version string comes from:
 * - image: the tag (or short digest) of the workload's main container;
 * - label: the `app.kubernetes.io/version` label, used when the image says
 *   nothing (no tag, `latest`);
 * - unknown: neither.
 *
 * @public
 */
export type VersionSource = 'image' | 'label' | 'unknown';

/** The version of one workload in one cluster. @public */
export interface WorkloadVersion {
  /**
   * The version of the pod template (what is rolled out): the main
   * container's tag, else the app version label, else the short digest.
   * Absent when nothing tells.
   */
  version?: string;
  /** Where `version` comes from. */
  source: VersionSource;
  /** Image per app container of the pod template. */
  containers: ContainerVersion[];
  /** Helm chart of the workload; absent: unknown (no `helm.sh/chart` label). */
  chart?: ChartVersion;
  /** `app.kubernetes.io/version`; absent when not labelled. */
  appVersion?: string;
  /** Helm release (`meta.helm.sh/release-name`), when Helm manages the workload. */
  helmRelease?: string;
  /** Rollout revision (`deployment.kubernetes.io/revision`, or a StatefulSet's update revision). */
  revision?: string;
  /** Since when this version is rolled out: creation of its ReplicaSet (Deployments). */
  since?: string;
  /** Versions the workload's pods run, most pods first. */
  replicas: ReplicaVersion[];
  /** The pods run more than one version and no rollout explains it (e.g. a StatefulSet partition, OnDelete). */
  mixed: boolean;
  /** A rollout between two versions that is not finished. */
  rollout?: VersionRollout;
}

/** One workload's version in one environment (over its clusters). @public */
export interface EnvironmentWorkloadVersion {
  /** Workload kind. */
  kind: WorkloadKind;
  /** Workload name (the same in each environment). */
  name: string;
  /** The version, when its clusters agree; for a cluster mix the lowest (what the environment is at least at). */
  version?: string;
  /** Every version the environment runs of it (templates and pods), lowest first when they compare. */
  versions: string[];
  /** Clusters the workload runs in. */
  clusters: string[];
  /** Pods or clusters run different versions without a rollout that explains it. */
  mixed: boolean;
  /** An unfinished rollout, with the cluster it is in. */
  rollout?: VersionRollout & { cluster: string };
  /** Since when `version` runs there, when known. */
  since?: string;
  /** The Helm chart, when the clusters agree. */
  chart?: ChartVersion;
}

/** What one environment runs of a service. @public */
export interface EnvironmentVersions {
  /** Environment name, as configured on its clusters. */
  environment: string;
  /** The service's workloads there, by kind and name. */
  workloads: EnvironmentWorkloadVersion[];
}

/**
 * One environment runs another version of a workload than another:
 * - behind: both versions are semantic versions and it runs the lower one;
 * - different: at least one is not a semantic version, so which is newer is
 *   not known; `comparedTo` is the environment that got its version last.
 *
 * @public
 */
export interface VersionDrift {
  /** behind: a lower semantic version; different: not comparable. */
  kind: 'behind' | 'different';
  /** The workload that drifts. */
  workload: { kind: WorkloadKind; name: string };
  /** The environment that is behind (or different). */
  environment: string;
  /** The version it runs. */
  version: string;
  /** The environment it is compared with (the newest version). */
  comparedTo: string;
  /** The version that one runs. */
  comparedToVersion: string;
  /** Since when: when `comparedTo` got its version, if known. */
  since?: string;
}

/** Versions of a service per environment, and its drift. @public */
export interface ServiceVersions {
  /** Each environment the service runs in, by name. */
  environments: EnvironmentVersions[];
  /** Where an environment is behind (or differs from) another. */
  drift: VersionDrift[];
}
