/**
 * The report of `shipyard:deployment:status`: one read of an entity's objects
 * in one cluster, judged by the deployment-health rules, and its text for logs
 * and errors.
 */
import { InputError } from '@backstage/errors';
import {
  ANNOTATION_KUBERNETES_ID,
  ClusterHealth,
  clusterHealth,
  EntityKubernetesMatch,
  KUBERNETES_ID_LABEL,
  notDeployedReason,
  statusOf,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  ClusterConnection,
  ClusterReadOptions,
  readServiceObjects,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { LABEL_VALUE } from '../lib/kube';

/** Objects read per kind (and Warning events per namespace) in one check. */
const LIST_LIMIT = 500;

/** The cluster as a report names it. */
type ClusterInfo = { name: string; environment: string; title?: string };

/**
 * The label selector of a match; a kubernetes-id annotation that is no label
 * value is refused, naming the annotation.
 */
export function selectorOf(
  match: EntityKubernetesMatch,
  entityRef: string,
): string {
  if (match.type === 'labelSelector') return match.labelSelector;
  if (!LABEL_VALUE.test(match.kubernetesId)) {
    throw new InputError(
      `Invalid annotation ${ANNOTATION_KUBERNETES_ID} "${match.kubernetesId}" of ${entityRef}: must be a Kubernetes label value`,
    );
  }
  return `${KUBERNETES_ID_LABEL}=${match.kubernetesId}`;
}

/**
 * Reads the objects selected by `labelSelector` in `namespaces` and judges
 * them; a read that fails throws, naming the entity and the cluster.
 */
export async function readHealth(query: {
  connection: ClusterConnection;
  info: ClusterInfo;
  read: ClusterReadOptions;
  resourceRef: string;
  labelSelector: string;
  namespaces: string[];
}): Promise<ClusterHealth> {
  const { connection, info, read, resourceRef, labelSelector, namespaces } =
    query;
  const { objects, truncated, error } = await readServiceObjects(connection, {
    labelSelector,
    namespaces,
    limit: LIST_LIMIT,
    events: true,
  });
  if (error) {
    throw new Error(
      `Reading ${resourceRef} from cluster ${info.name} failed: ${error.message}`,
    );
  }
  const report = clusterHealth(
    {
      name: info.name,
      environment: info.environment,
      ...(info.title ? { title: info.title } : {}),
    },
    objects,
    {
      source: 'query',
      lastSyncedAt: new Date().toISOString(),
      truncated,
    },
    { recentWindowMs: read.recentWindowMs },
  );
  const notDeployed = notDeployedReason([report]);
  if (notDeployed) {
    // The rule's finding, told with what this action looked for.
    report.reasons.unshift({
      ...notDeployed,
      message: `No workload labelled ${labelSelector} in ${namespaces.join(
        ', ',
      )}`,
    });
    report.status = statusOf(report.reasons);
  }
  return report;
}

/** Multi-line, human readable reasons of a report: workloads, containers, events. */
export function describeHealth(report: ClusterHealth): string {
  const lines: string[] = [
    `${report.cluster} (${report.environment}): ${report.status}`,
  ];
  for (const r of report.reasons)
    lines.push(`  - ${r.status} ${r.code}: ${r.message}`);
  for (const w of report.workloads) {
    const ro = w.rollout;
    lines.push(
      `  ${w.kind}/${w.name} in ${w.namespace}: ${w.status} (ready ${ro.ready}/${ro.desired}, updated ${ro.updated}, available ${ro.available})`,
    );
    for (const p of w.pods) {
      for (const c of p.containers) {
        if (c.ready && c.restartCount === 0 && c.state === 'running') continue;
        const last = c.lastTermination
          ? `, last termination ${c.lastTermination.reason ?? '?'} (exit ${
              c.lastTermination.exitCode ?? '?'
            })`
          : '';
        lines.push(
          `    pod ${p.name} container ${c.name}: ${c.state}${
            c.reason ? ` ${c.reason}` : ''
          }${c.ready ? '' : ', not ready'}, restarts ${c.restartCount}${last}${
            c.message ? ` - ${c.message}` : ''
          }`,
        );
      }
    }
    for (const e of w.events.slice(0, 5)) {
      lines.push(
        `    Warning ${e.reason} on ${e.involvedObject.kind}/${e.involvedObject.name} (x${e.count}): ${e.message}`,
      );
    }
  }
  return lines.join('\n');
}

/** The outputs of a dry run: status Unknown, a report with nothing read. */
export function outputDryRun(
  ctx: { output(name: string, value: any): void },
  info: ClusterInfo,
) {
  const report: ClusterHealth = {
    cluster: info.name,
    ...(info.title ? { title: info.title } : {}),
    environment: info.environment,
    status: 'Unknown',
    reasons: [],
    workloads: [],
    otherPods: [],
    source: 'query',
  };
  ctx.output('status', report.status);
  ctx.output('report', report);
}
