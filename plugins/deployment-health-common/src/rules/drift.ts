import semver from 'semver';
import type { ClusterHealth } from '../reports';
import type { WorkloadKind } from '../types';
import type {
  EnvironmentVersions,
  EnvironmentWorkloadVersion,
  ServiceVersions,
  VersionDrift,
} from '../versionTypes';

/**
 * A version as a semantic version: `1.2.3`, `v1.2.3`, `1.2.3-rc.1`, and the
 * short forms `16`, `16.4` that image tags often use. Null for anything
 * else (`latest`, a commit hash, a digest).
 */
function asSemver(version: string): semver.SemVer | null {
  const clean = semver.clean(version);
  if (clean) return semver.parse(clean);
  if (/^v?\d+(\.\d+)?$/.test(version)) return semver.coerce(version);
  return null;
}

/**
 * How two versions compare: a negative number when `a` is older, positive
 * when newer, 0 when equal; `different` when they differ and at least one is
 * not a semantic version, so which is newer cannot be told.
 *
 * @public
 */
export function compareVersions(a: string, b: string): number | 'different' {
  if (a === b) return 0;
  const sa = asSemver(a);
  const sb = asSemver(b);
  if (!sa || !sb) return 'different';
  return semver.compare(sa, sb);
}

/** Lowest first when they compare; otherwise in the given order. */
function sortVersions(versions: string[]): string[] {
  if (!versions.every(v => asSemver(v))) return versions;
  return [...versions].sort((a, b) =>
    semver.compare(asSemver(a)!, asSemver(b)!),
  );
}

const workloadKey = (w: { kind: string; name: string }) =>
  `${w.kind}/${w.name}`;

/** One workload's versions in one environment, over its clusters there. */
function environmentWorkload(
  kind: WorkloadKind,
  name: string,
  entries: Array<{ cluster: ClusterHealth; w: ClusterHealth['workloads'][0] }>,
): EnvironmentWorkloadVersion {
  const templates = [
    ...new Set(
      entries.map(e => e.w.version?.version).filter((v): v is string => !!v),
    ),
  ];
  const running = entries.flatMap(
    e => e.w.version?.replicas.map(r => r.version) ?? [],
  );
  const versions = sortVersions([
    ...new Set([...templates, ...running.filter(v => v !== 'unknown')]),
  ]);
  const rolling = entries.find(e => e.w.version?.rollout);
  const rollout = rolling?.w.version?.rollout
    ? { ...rolling.w.version.rollout, cluster: rolling.cluster.cluster }
    : undefined;
  const version = sortVersions(templates)[0];
  const sinces = entries
    .filter(e => e.w.version?.version === version && e.w.version.since)
    .map(e => e.w.version!.since!)
    .sort();
  const charts = new Set(
    entries.map(e =>
      e.w.version?.chart
        ? `${e.w.version.chart.name}\0${e.w.version.chart.version}`
        : '',
    ),
  );
  const chart = charts.size === 1 ? entries[0].w.version?.chart : undefined;
  return {
    kind,
    name,
    ...(version ? { version } : {}),
    versions,
    clusters: entries.map(e => e.cluster.cluster),
    // A rollout explains two versions; more, or a mix in a workload, or
    // clusters on different templates do not.
    mixed:
      templates.length > 1 ||
      entries.some(e => e.w.version?.mixed) ||
      (!rollout && versions.length > 1),
    ...(rollout ? { rollout } : {}),
    // The earliest cluster that got it: since then the environment has it.
    ...(sinces.length ? { since: sinces[0] } : {}),
    ...(chart ? { chart } : {}),
  };
}

/** What each environment runs of a service, environments and workloads by name. */
function environmentVersions(clusters: ClusterHealth[]): EnvironmentVersions[] {
  const byEnvironment = new Map<
    string,
    Map<
      string,
      Array<{ cluster: ClusterHealth; w: ClusterHealth['workloads'][0] }>
    >
  >();
  for (const cluster of clusters) {
    for (const w of cluster.workloads) {
      const env = byEnvironment.get(cluster.environment) ?? new Map();
      const key = workloadKey(w);
      env.set(key, [...(env.get(key) ?? []), { cluster, w }]);
      byEnvironment.set(cluster.environment, env);
    }
  }
  return [...byEnvironment.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([environment, workloads]) => ({
      environment,
      workloads: [...workloads.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([, entries]) =>
          environmentWorkload(entries[0].w.kind, entries[0].w.name, entries),
        ),
    }));
}

/**
 * Drift of one workload over the environments that run it: with semantic
 * versions everywhere, each environment below the newest is behind the
 * (first) environment that runs the newest; otherwise each environment that
 * differs from the one that got its version last is "different".
 */
function workloadDrift(
  workload: { kind: WorkloadKind; name: string },
  envs: Array<{ environment: string; v: EnvironmentWorkloadVersion }>,
): VersionDrift[] {
  const known = envs.filter(e => e.v.version);
  if (new Set(known.map(e => e.v.version)).size < 2) return [];
  const comparable = known.every(e => asSemver(e.v.version!));
  const reference = comparable
    ? known.reduce((newest, e) =>
        (compareVersions(e.v.version!, newest.v.version!) as number) > 0
          ? e
          : newest,
      )
    : known.reduce((latest, e) =>
        (e.v.since ?? '') > (latest.v.since ?? '') ? e : latest,
      );
  return known
    .filter(e => e.v.version !== reference.v.version)
    .map(e => ({
      kind: comparable ? 'behind' : 'different',
      workload,
      environment: e.environment,
      version: e.v.version!,
      comparedTo: reference.environment,
      comparedToVersion: reference.v.version!,
      ...(reference.v.since ? { since: reference.v.since } : {}),
    }));
}

/**
 * Versions of a service per environment and its drift: each workload (by
 * kind and name) compared over the environments that run it. Clusters that
 * could not be read have no workloads and take no part.
 *
 * @public
 */
export function serviceVersions(clusters: ClusterHealth[]): ServiceVersions {
  const environments = environmentVersions(clusters);
  const byWorkload = new Map<
    string,
    Array<{ environment: string; v: EnvironmentWorkloadVersion }>
  >();
  for (const env of environments) {
    for (const v of env.workloads) {
      const key = workloadKey(v);
      byWorkload.set(key, [
        ...(byWorkload.get(key) ?? []),
        { environment: env.environment, v },
      ]);
    }
  }
  const drift = [...byWorkload.values()].flatMap(envs =>
    workloadDrift({ kind: envs[0].v.kind, name: envs[0].v.name }, envs),
  );
  return { environments, drift };
}
