import type {
  V1Container,
  V1ContainerStatus,
  V1Pod,
  V1PodTemplateSpec,
  V1ReplicaSet,
} from '@kubernetes/client-node';
import type {
  ChartVersion,
  ContainerVersion,
  ReplicaVersion,
  VersionRollout,
  VersionSource,
  WorkloadVersion,
} from '../versionTypes';
import type { RolloutHealth } from '../types';
import { controllerOf } from './pods';
import type { Workload } from './rollout';
import { iso } from './status';

const LABEL_APP_VERSION = 'app.kubernetes.io/version';
const LABEL_APP_NAME = 'app.kubernetes.io/name';
const LABEL_HELM_CHART = 'helm.sh/chart';
const ANNOTATION_HELM_RELEASE = 'meta.helm.sh/release-name';
const ANNOTATION_REVISION = 'deployment.kubernetes.io/revision';

/** `algorithm:hex`, as in an OCI digest. */
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/i;

/**
 * The parts of an image reference: `[registry/]repository[:tag][@digest]`.
 * A reference with neither tag nor digest means `latest`, as the runtime
 * pulls it. Never throws: an odd reference keeps what can be read.
 *
 * @public
 */
export function parseImageRef(image: string): {
  repository: string;
  tag?: string;
  digest?: string;
} {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  // A ':' before the last '/' is a registry port, not a tag.
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const repository = hasTag ? name.slice(0, colon) : name;
  let tag = hasTag ? name.slice(colon + 1) : undefined;
  if (!tag && !digest && repository) tag = 'latest';
  return {
    repository,
    ...(tag ? { tag } : {}),
    ...(digest && DIGEST.test(digest) ? { digest } : {}),
  };
}

/**
 * The registry digest a container status reports in `imageID`
 * (`[docker-pullable://]repo@sha256:…`). A bare image id (`sha256:…` without
 * a repository) is the local image, not what the registry serves: none.
 *
 * @public
 */
export function runningDigest(imageID: string | undefined): string | undefined {
  if (!imageID) return undefined;
  const at = imageID.lastIndexOf('@');
  if (at < 0) return undefined;
  const digest = imageID.slice(at + 1);
  return DIGEST.test(digest) ? digest : undefined;
}

/**
 * Name and version of a `helm.sh/chart` label (`<chart>-<version>`, as
 * Helm's chart helper writes it). The version is the first `-x.y…` part, so
 * names with dashes and digits ("k8s-app-2") and pre-release versions
 * ("1.2.3-rc.1") both split right. Undefined for a value without a version.
 *
 * @public
 */
export function parseHelmChart(
  label: string | undefined,
): ChartVersion | undefined {
  const m = /^(.+?)-(v?\d+\.\d+(?:\.\d+)?(?:[-+][0-9A-Za-z.+-]*)?)$/.exec(
    label ?? '',
  );
  return m ? { name: m[1], version: m[2] } : undefined;
}

const shortDigest = (digest: string) => {
  const [algorithm, hex] = digest.split(':');
  return `${algorithm}:${hex.slice(0, 12)}`;
};

/**
 * The container whose image says the workload's version: the one named like
 * the workload or its `app.kubernetes.io/name`, else the first (sidecars are
 * usually added after the app).
 */
function mainContainer<T extends { name: string }>(
  containers: T[],
  names: Array<string | undefined>,
): T | undefined {
  return containers.find(c => names.includes(c.name)) ?? containers[0];
}

/**
 * The version string of a pod template or pod: the main container's tag;
 * when that says nothing (`latest`, digest only), the app version label;
 * then the short digest; then `latest`. The image comes first because it
 * is what runs: a label is easily left behind by `kubectl set image`.
 */
function versionOf(
  containers: ContainerVersion[],
  labels: Record<string, string>,
  workloadName: string,
): { version?: string; source: VersionSource } {
  const main = mainContainer(containers, [
    workloadName,
    labels[LABEL_APP_NAME],
  ]);
  if (main?.tag && main.tag !== 'latest')
    return { version: main.tag, source: 'image' };
  const label = labels[LABEL_APP_VERSION];
  if (label) return { version: label, source: 'label' };
  if (main?.digest)
    return { version: shortDigest(main.digest), source: 'image' };
  if (main?.tag) return { version: main.tag, source: 'image' };
  return { source: 'unknown' };
}

function containerVersions(
  containers: V1Container[],
  statuses: V1ContainerStatus[][],
): ContainerVersion[] {
  return containers.map(c => {
    const image = c.image ?? '';
    const ref = parseImageRef(image);
    // A pinned digest is what runs; otherwise the pods say what the tag
    // resolved to, when they all agree.
    const seen = new Set(
      statuses
        .map(s => s.find(x => x.name === c.name))
        .map(s => runningDigest(s?.imageID))
        .filter((d): d is string => !!d),
    );
    const digest = ref.digest ?? (seen.size === 1 ? [...seen][0] : undefined);
    return {
      name: c.name,
      image,
      ...(ref.tag ? { tag: ref.tag } : {}),
      ...(digest ? { digest } : {}),
    };
  });
}

/** The version a pod runs, from its own spec and labels. */
function podVersion(pod: V1Pod, workloadName: string): string | undefined {
  const containers = containerVersions(pod.spec?.containers ?? [], [
    pod.status?.containerStatuses ?? [],
  ]);
  return versionOf(containers, pod.metadata?.labels ?? {}, workloadName)
    .version;
}

/**
 * The version of a pod template; the workload's labels count where the template has none.
 *
 * @internal
 */
export function templateVersion(
  template: V1PodTemplateSpec | undefined,
  workload: Workload,
): string | undefined {
  return versionOf(
    containerVersions(template?.spec?.containers ?? [], []),
    {
      ...(workload.metadata?.labels ?? {}),
      ...(template?.metadata?.labels ?? {}),
    },
    workload.metadata?.name ?? '',
  ).version;
}

function replicaVersions(
  pods: V1Pod[],
  workloadName: string,
): ReplicaVersion[] {
  const byVersion = new Map<string, ReplicaVersion>();
  for (const pod of pods) {
    // Terminating pods are on their way out: they do not make a mix.
    if (pod.metadata?.deletionTimestamp) continue;
    const version = podVersion(pod, workloadName) ?? 'unknown';
    const r = byVersion.get(version) ?? { version, pods: 0, ready: 0 };
    r.pods += 1;
    if (
      pod.status?.conditions?.some(
        c => c.type === 'Ready' && c.status === 'True',
      )
    )
      r.ready += 1;
    byVersion.set(version, r);
  }
  return [...byVersion.values()].sort(
    (a, b) => b.pods - a.pods || a.version.localeCompare(b.version),
  );
}

/** @internal */
export const revisionOf = (rs: V1ReplicaSet) =>
  Number(rs.metadata?.annotations?.[ANNOTATION_REVISION] ?? NaN);

/**
 * A Deployment's ReplicaSets, newest revision first: the first is the
 * current template's (the controller stamps the Deployment's revision on it).
 */
function replicaSetsByRevision(
  workload: Workload,
  replicaSets: V1ReplicaSet[],
): V1ReplicaSet[] {
  const uid = workload.metadata?.uid;
  return replicaSets
    .filter(rs => !uid || controllerOf(rs)?.uid === uid)
    .sort((a, b) => (revisionOf(b) || 0) - (revisionOf(a) || 0));
}

/**
 * An unfinished rollout and where it comes from:
 * - Deployment: older ReplicaSets still have replicas while the rollout is
 *   not complete; stuck once the controller reports ProgressDeadlineExceeded.
 * - StatefulSet (RollingUpdate without partition) and DaemonSet
 *   (RollingUpdate): pods run another version than the template while the
 *   rollout is not complete. A partition or OnDelete holds versions apart on
 *   purpose: that is a mix, not a rollout.
 */
function unfinishedRollout(
  workload: Workload,
  rollout: RolloutHealth,
  to: string | undefined,
  replicas: ReplicaVersion[],
  ownReplicaSets: V1ReplicaSet[],
): VersionRollout | undefined {
  if (rollout.complete || !to) return undefined;
  if (workload.kind === 'Deployment') {
    const [current, ...older] = ownReplicaSets;
    const old = older
      .filter(rs => (rs.status?.replicas ?? 0) > 0)
      .sort((a, b) => (b.status?.replicas ?? 0) - (a.status?.replicas ?? 0))[0];
    if (!current || !old) return undefined;
    const from = templateVersion(old.spec?.template, workload);
    if (!from || from === to) return undefined;
    const stuck = rollout.conditions.some(
      c => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded',
    );
    const startedAt = current.metadata?.creationTimestamp;
    return {
      from,
      to,
      state: stuck ? 'stuck' : 'progressing',
      ...(startedAt ? { startedAt: iso(startedAt) } : {}),
    };
  }
  if (workload.spec?.updateStrategy?.type === 'OnDelete') return undefined;
  if (
    workload.kind === 'StatefulSet' &&
    (workload.spec?.updateStrategy?.rollingUpdate?.partition ?? 0) > 0
  )
    return undefined;
  const from = replicas.find(r => r.version !== to)?.version;
  return from ? { from, to, state: 'progressing' } : undefined;
}

/**
 * The version of one workload: the images of its pod template (with the
 * digests its pods run), Helm chart and release, app version, rollout
 * revision, since when it runs (its ReplicaSet's creation), the versions its
 * pods run, and an unfinished rollout or an unexplained mix of versions.
 * Labels and annotations may all be missing: then the images tell.
 *
 * @public
 */
export function workloadVersion(
  workload: Workload,
  related: { pods: V1Pod[]; replicaSets?: V1ReplicaSet[] },
  rollout: RolloutHealth,
): WorkloadVersion {
  const name = workload.metadata?.name ?? '';
  const template = workload.spec?.template;
  const labels = {
    ...(workload.metadata?.labels ?? {}),
    ...(template?.metadata?.labels ?? {}),
  };
  const ownReplicaSets =
    workload.kind === 'Deployment'
      ? replicaSetsByRevision(workload, related.replicaSets ?? [])
      : [];
  const current = ownReplicaSets[0];
  // Pods of the current template report the digests its tags resolved to.
  const currentHash = current?.metadata?.labels?.['pod-template-hash'];
  const templatePods = related.pods.filter(
    p =>
      workload.kind !== 'Deployment' ||
      !currentHash ||
      p.metadata?.labels?.['pod-template-hash'] === currentHash,
  );
  const containers = containerVersions(
    template?.spec?.containers ?? [],
    templatePods.map(p => p.status?.containerStatuses ?? []),
  );
  const { version, source } = versionOf(containers, labels, name);
  const chart = parseHelmChart(labels[LABEL_HELM_CHART]);
  const appVersion = labels[LABEL_APP_VERSION];
  const helmRelease = workload.metadata?.annotations?.[ANNOTATION_HELM_RELEASE];
  // Until the controller has made the ReplicaSet of a new template, the
  // newest one is still the old version's: no "since" rather than a wrong one.
  const since =
    current && templateVersion(current.spec?.template, workload) === version
      ? current.metadata?.creationTimestamp
      : undefined;
  const replicas = replicaVersions(related.pods, name);
  const unfinished = unfinishedRollout(
    workload,
    rollout,
    version,
    replicas,
    ownReplicaSets,
  );
  return {
    ...(version ? { version } : {}),
    source,
    containers,
    ...(chart ? { chart } : {}),
    ...(appVersion ? { appVersion } : {}),
    ...(helmRelease ? { helmRelease } : {}),
    ...(rollout.revision ? { revision: rollout.revision } : {}),
    ...(since ? { since: iso(since) } : {}),
    replicas,
    mixed: !unfinished && replicas.length > 1,
    ...(unfinished ? { rollout: unfinished } : {}),
  };
}
