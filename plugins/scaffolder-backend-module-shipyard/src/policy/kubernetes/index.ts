import { Finding } from '../types';
import { describe, indexChart, Issue, podOf, SourcedObject } from './model';
import { OBJECT_CHECKS } from './objects';
import { POD_CHECKS, WORKLOAD_CHECKS } from './pods';

export { isPinnedImage, selectorMatches } from './model';
export type { LabelSelector, SourcedObject } from './model';

/**
 * Checks rendered Kubernetes objects (one chart rendered with one values file)
 * against the Shipyard baselines: Pod Security Standards "restricted",
 * kube-score / Polaris defaults and zero-downtime rollout settings.
 * Pure function: no I/O.
 *
 * @public
 */
export function checkKubernetesObjects(objects: SourcedObject[]): Finding[] {
  const sourced = objects.filter(o => o.object && typeof o.object === 'object');
  const chart = indexChart(sourced.map(o => o.object));
  const findings: Finding[] = [];
  const report = (o: SourcedObject, issues: Issue[]) => {
    for (const i of issues) {
      findings.push({
        rule: i.rule,
        file: o.source,
        message: `${describe(o.object)}: ${i.message}`,
        severity: i.severity ?? 'error',
      });
    }
  };

  for (const o of sourced) {
    const pod = podOf(o.object);
    if (!pod) continue;
    const checks = pod.longRunning
      ? [...POD_CHECKS, ...WORKLOAD_CHECKS]
      : POD_CHECKS;
    for (const check of checks) report(o, check(pod, chart));
  }
  for (const [kind, checks] of OBJECT_CHECKS) {
    for (const o of sourced.filter(s => s.object.kind === kind)) {
      for (const check of checks) report(o, check(o.object, chart));
    }
  }
  return findings;
}
