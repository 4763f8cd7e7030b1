import {
  EnvironmentWorkloadVersion,
  VersionDrift,
  VersionRollout,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';

/** "2026-12-07 21:48 UTC": the same in every browser and test. */
export function formatUtc(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "rollout in progress 0.14.0 → 0.14.1", "rollout stuck 0.14.0 → 0.14.1". */
export function rolloutText(r: VersionRollout): string {
  return `rollout ${r.state === 'stuck' ? 'stuck' : 'in progress'} ${
    r.from
  } → ${r.to}`;
}

/** "mixed versions 16.3, 16.4". */
export function mixedText(versions: string[]): string {
  return `mixed versions ${versions.join(', ')}`;
}

/** "behind staging (0.14.1) since 2026-12-07 21:48 UTC", "differs from staging (abc123)". */
export function driftText(d: VersionDrift): string {
  const what =
    d.kind === 'behind'
      ? `behind ${d.comparedTo} (${d.comparedToVersion})`
      : `differs from ${d.comparedTo} (${d.comparedToVersion})`;
  return d.since ? `${what} since ${formatUtc(d.since)}` : what;
}

/** The flags of one workload in one environment, most pressing first. */
export function versionFlags(
  v: EnvironmentWorkloadVersion,
  drift: VersionDrift[],
): Array<{ text: string; severity: 'warning' | 'info' }> {
  return [
    ...(v.rollout
      ? [
          {
            text: rolloutText(v.rollout),
            severity:
              v.rollout.state === 'stuck'
                ? ('warning' as const)
                : ('info' as const),
          },
        ]
      : []),
    ...(v.mixed
      ? [{ text: mixedText(v.versions), severity: 'warning' as const }]
      : []),
    ...drift
      .filter(d => d.workload.kind === v.kind && d.workload.name === v.name)
      .map(d => ({ text: driftText(d), severity: 'warning' as const })),
  ];
}
