import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ClusterHealth,
  clusterHealth,
  KUBERNETES_ID_LABEL,
  notDeployedReason,
  statusOf,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  ClusterConnection,
  ClusterReadOptions,
  readClusterReadOptions,
  readServiceObjects,
  ShipyardClustersService,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { ShipyardModuleConfig } from '../config';
import { DNS_LABEL, LABEL_VALUE, selectClusters } from '../lib/kube';
import { examples } from './deploymentStatus.examples';

/** Longest wait `waitSeconds` may ask for. */
export const MAX_WAIT_SECONDS = 900;

/** Objects read per kind (and Warning events per namespace) in one check. */
const LIST_LIMIT = 500;

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

/**
 * `shipyard:deployment:status`: the service's health in one cluster, using the
 * deployment-health rules; optionally waits until Healthy.
 *
 * @public
 */
export function createShipyardDeploymentStatusAction(options: {
  clusters: ShipyardClustersService;
  config?: ShipyardModuleConfig;
  /** Request timeout and rule options, as the backend reads them (default: their defaults). */
  read?: ClusterReadOptions;
  /** Poll interval while waiting (default 5 s). */
  pollIntervalMs?: number;
}) {
  return createTemplateAction({
    id: 'shipyard:deployment:status',
    description:
      'Reads the container and rollout health of a service in a cluster with the deployment-health rules, optionally waits (bounded) until it is Healthy, and otherwise fails listing the reasons (container states, restarts, last termination, Warning events).',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        cluster: z => z.string().describe('Name of a configured cluster.'),
        kubernetesId: z =>
          z
            .string()
            .describe(
              'Value of the backstage.io/kubernetes-id label of the service. Default: the name of entityRef.',
            )
            .optional(),
        entityRef: z =>
          z
            .string()
            .describe(
              'Entity ref of the component (e.g. component:default/payments-api); its name is the kubernetes-id when kubernetesId is not given.',
            )
            .optional(),
        namespace: z =>
          z
            .string()
            .describe('Namespace to look in. Default: all namespaces.')
            .optional(),
        waitSeconds: z =>
          z
            .number()
            .describe(
              `Wait up to this many seconds (at most ${MAX_WAIT_SECONDS}) for Healthy. Default: 0 (check once).`,
            )
            .optional(),
      },
      output: {
        status: z =>
          z
            .string()
            .describe('Healthy, Progressing, Degraded, Failed or Unknown'),
        report: z =>
          z
            .record(z.string(), z.any())
            .describe(
              'ClusterHealth report from @shipyard-platform/backstage-plugin-deployment-health-common',
            ),
      },
    },
    async handler(ctx) {
      const { cluster, namespace } = ctx.input;
      let kubernetesId = ctx.input.kubernetesId;
      if (!kubernetesId && ctx.input.entityRef) {
        try {
          kubernetesId = parseEntityRef(ctx.input.entityRef, {
            defaultKind: 'component',
          }).name;
        } catch (e) {
          throw new InputError(
            `Invalid entityRef "${ctx.input.entityRef}": ${
              (e as Error).message
            }`,
          );
        }
      }
      if (!kubernetesId || !LABEL_VALUE.test(kubernetesId)) {
        throw new InputError(
          `Invalid kubernetesId "${
            kubernetesId ?? ''
          }": give kubernetesId (a label value) or entityRef`,
        );
      }
      if (namespace !== undefined && !DNS_LABEL.test(namespace)) {
        throw new InputError(
          `Invalid namespace "${namespace}": must be a DNS label`,
        );
      }
      const waitSeconds = ctx.input.waitSeconds ?? 0;
      if (
        !Number.isFinite(waitSeconds) ||
        waitSeconds < 0 ||
        waitSeconds > MAX_WAIT_SECONDS
      ) {
        throw new InputError(
          `Invalid waitSeconds ${waitSeconds}: must be between 0 and ${MAX_WAIT_SECONDS}`,
        );
      }
      if (!cluster)
        throw new InputError('Invalid cluster: a cluster name is required');
      await selectClusters(options.clusters, [cluster], undefined, 'cluster');
      const info = await options.clusters.getCluster(cluster);
      const read = options.read ?? readClusterReadOptions();
      const connection = new ClusterConnection(
        info,
        options.clusters,
        read.requestTimeoutMs,
      );

      const check = async (): Promise<ClusterHealth> => {
        const { objects, truncated, error } = await readServiceObjects(
          connection,
          {
            labelSelector: `${KUBERNETES_ID_LABEL}=${kubernetesId}`,
            namespace,
            limit: LIST_LIMIT,
            events: true,
          },
        );
        if (error) {
          throw new Error(
            `Reading ${kubernetesId} from cluster ${cluster} failed: ${error.message}`,
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
            message: `No workload labelled ${KUBERNETES_ID_LABEL}=${kubernetesId}${
              namespace ? ` in ${namespace}` : ''
            }`,
          });
          report.status = statusOf(report.reasons);
        }
        return report;
      };

      const deadline = Date.now() + waitSeconds * 1000;
      const interval = options.pollIntervalMs ?? 5000;
      let report = await check();
      let last = report.status;
      ctx.logger.info(`${kubernetesId} on ${cluster}: ${report.status}`);
      while (
        !ctx.isDryRun &&
        report.status !== 'Healthy' &&
        Date.now() + interval <= deadline
      ) {
        if (ctx.signal?.aborted) break;
        await new Promise(r => setTimeout(r, interval));
        report = await check();
        if (report.status !== last) {
          ctx.logger.info(`${kubernetesId} on ${cluster}: ${report.status}`);
          last = report.status;
        }
      }
      ctx.output('status', report.status);
      ctx.output('report', report as any);
      const summary = describeHealth(report);
      if (report.status === 'Healthy') {
        ctx.logger.info(summary);
        return;
      }
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: not failing on status ${report.status}\n${summary}`,
        );
        return;
      }
      ctx.logger.error(summary);
      throw new Error(
        `${kubernetesId} is ${report.status} on ${cluster}${
          waitSeconds ? ` after waiting ${waitSeconds}s` : ''
        }:\n${summary}`,
      );
    },
  });
}
