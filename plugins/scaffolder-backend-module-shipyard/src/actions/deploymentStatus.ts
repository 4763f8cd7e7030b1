import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
  ANNOTATION_KUBERNETES_NAMESPACE,
  DEFAULT_TENANCY_RULES,
  deploymentHealthReadPermission,
  getEntityKubernetesMatch,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  ClusterConnection,
  ClusterReadOptions,
  readClusterReadOptions,
  ShipyardClustersService,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { ShipyardModuleConfig } from '../config';
import { DNS_LABEL, selectClusters } from '../lib/kube';
import { examples } from './deploymentStatus.examples';
import {
  describeHealth,
  outputDryRun,
  readHealth,
  selectorOf,
} from './deploymentStatusReport';

/** Longest wait `waitSeconds` may ask for. */
export const MAX_WAIT_SECONDS = 900;

/** Who the credentials are, for messages. */
function describePrincipal(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (p?.type === 'user' && p.userEntityRef) return `User ${p.userEntityRef}`;
  if (p?.type === 'service' && p.subject) return `Service ${p.subject}`;
  return 'The caller';
}

/**
 * `shipyard:deployment:status`: the health of a catalog entity's service in
 * one cluster, using the deployment-health rules; optionally waits until
 * Healthy.
 *
 * The entity is read from the catalog and authorized
 * ({@link @shipyard-platform/backstage-plugin-deployment-health-common#deploymentHealthReadPermission})
 * with the credentials of the user who started the task, before any cluster
 * is read; reads stay in the namespaces of the entity owner's team.
 *
 * @public
 */
export function createShipyardDeploymentStatusAction(options: {
  clusters: ShipyardClustersService;
  /** Reads the entity (and its owner) with the task initiator's credentials. */
  catalog: CatalogService;
  /** Authorizes the health read of the entity for the task initiator. */
  permissions: PermissionsService;
  /** `allowedClusters`, and `tenancy` for the team namespaces (default: the default tenancy rules). */
  config?: ShipyardModuleConfig;
  /** Request timeout and rule options, as the backend reads them (default: their defaults). */
  read?: ClusterReadOptions;
  /** Poll interval while waiting (default 5 s). */
  pollIntervalMs?: number;
}) {
  const rules = options.config?.tenancy ?? DEFAULT_TENANCY_RULES;
  return createTemplateAction({
    id: 'shipyard:deployment:status',
    description:
      "Reads the container and rollout health of a catalog entity in a cluster with the deployment-health rules (authorized for the user running the task, within the owner team's namespaces), optionally waits (bounded) until it is Healthy, and otherwise fails listing the reasons (container states, restarts, last termination, Warning events). A dry run checks the inputs and the permission and reads no cluster.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        cluster: z =>
          z
            .string()
            .describe(
              'Name of a configured cluster (one of shipyard.deploy.allowedClusters when set).',
            ),
        entityRef: z =>
          z
            .string()
            .describe(
              `Entity ref of the component (e.g. component:default/payments-api). Its ${ANNOTATION_KUBERNETES_LABEL_SELECTOR} or ${ANNOTATION_KUBERNETES_ID} annotation (default: its name) selects the objects, as in the deployment-health plugin.`,
            ),
        namespace: z =>
          z
            .string()
            .describe(
              "Namespace to look in; must be one of the owner team's namespaces. Default: the entity's kubernetes-namespace annotation, else all the team's namespaces.",
            )
            .optional(),
        waitSeconds: z =>
          z
            .number()
            .describe(
              `Wait up to this many seconds (at most ${MAX_WAIT_SECONDS}) for the entity to be in the catalog and Healthy. Default: 0 (check once).`,
            )
            .optional(),
      },
      output: {
        status: z =>
          z
            .string()
            .describe(
              'Healthy, Progressing, Degraded, Failed or Unknown (Unknown in dry run: no cluster is read)',
            ),
        report: z =>
          z
            .record(z.string(), z.any())
            .describe(
              'ClusterHealth report from @shipyard-platform/backstage-plugin-deployment-health-common',
            ),
      },
    },
    async handler(ctx) {
      const { cluster } = ctx.input;
      let entityRef: string;
      try {
        entityRef = stringifyEntityRef(
          parseEntityRef(ctx.input.entityRef ?? '', {
            defaultKind: 'component',
            defaultNamespace: 'default',
          }),
        );
      } catch (e) {
        throw new InputError(
          `Invalid entityRef "${ctx.input.entityRef ?? ''}": ${
            (e as Error).message
          }`,
        );
      }
      const inputNamespace = ctx.input.namespace;
      if (inputNamespace !== undefined && !DNS_LABEL.test(inputNamespace)) {
        throw new InputError(
          `Invalid namespace "${inputNamespace}": must be a DNS label`,
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
      // Config only: no cluster is contacted before the permission check.
      await selectClusters(
        options.clusters,
        [cluster],
        options.config?.allowedClusters,
        'cluster',
      );

      const deadline = Date.now() + waitSeconds * 1000;
      const interval = options.pollIntervalMs ?? 5000;
      const sleep = () => new Promise(r => setTimeout(r, interval));

      const credentials = await ctx.getInitiatorCredentials();
      const who = describePrincipal(credentials);
      // A task registers the entity a step earlier; the catalog processes it
      // asynchronously, so it may take a moment to appear.
      let entity = await options.catalog.getEntityByRef(entityRef, {
        credentials,
      });
      while (
        !entity &&
        !ctx.isDryRun &&
        !ctx.signal?.aborted &&
        Date.now() + interval <= deadline
      ) {
        await sleep();
        entity = await options.catalog.getEntityByRef(entityRef, {
          credentials,
        });
      }
      if (!entity) {
        if (ctx.isDryRun) {
          // A template's dry run registers nothing: the new entity is not there.
          ctx.logger.info(
            `Dry run: ${entityRef} is not in the catalog (yet); would check its health on ${cluster}`,
          );
          outputDryRun(ctx, await options.clusters.getCluster(cluster));
          return;
        }
        throw new NotFoundError(
          `Invalid entityRef "${entityRef}": no such entity in the catalog (or not visible to the user running the task)${
            waitSeconds ? ` after waiting ${waitSeconds}s` : ''
          }`,
        );
      }

      const resourceRef = stringifyEntityRef(entity);
      const [decision] = await options.permissions.authorize(
        [{ permission: deploymentHealthReadPermission, resourceRef }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `${who} may not read the deployment health of ${resourceRef}: permission ${deploymentHealthReadPermission.name} was denied`,
        );
      }

      // Annotations and inputs select only within the owner team's namespaces.
      const matched = getEntityKubernetesMatch(entity, rules);
      if ('refusal' in matched) {
        throw new InputError(
          `Invalid entityRef "${resourceRef}": ${matched.refusal.message}`,
        );
      }
      const { match } = matched;
      const labelSelector = selectorOf(match, resourceRef);
      if (
        inputNamespace !== undefined &&
        !match.namespaces.includes(inputNamespace)
      ) {
        throw new InputError(
          `Invalid namespace "${inputNamespace}": not one of the namespaces ${resourceRef} may be read in (${match.namespaces.join(
            ', ',
          )}: its owner team's, shipyard.tenancy.teamNamespaces, narrowed by its ${ANNOTATION_KUBERNETES_NAMESPACE} annotation)`,
        );
      }
      const namespaces =
        inputNamespace !== undefined ? [inputNamespace] : match.namespaces;
      const where = namespaces.join(', ');

      const info = await options.clusters.getCluster(cluster);
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: ${who} may read the health of ${resourceRef}; would read ${labelSelector} in ${where} on ${cluster} (no cluster is read in a dry run)`,
        );
        outputDryRun(ctx, info);
        return;
      }

      const read = options.read ?? readClusterReadOptions();
      const connection = new ClusterConnection(
        info,
        options.clusters,
        read.requestTimeoutMs,
      );

      const check = () =>
        readHealth({
          connection,
          info,
          read,
          resourceRef,
          labelSelector,
          namespaces,
        });

      let report = await check();
      let last = report.status;
      ctx.logger.info(`${resourceRef} on ${cluster}: ${report.status}`);
      while (report.status !== 'Healthy' && Date.now() + interval <= deadline) {
        if (ctx.signal?.aborted) break;
        await sleep();
        report = await check();
        if (report.status !== last) {
          ctx.logger.info(`${resourceRef} on ${cluster}: ${report.status}`);
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
      ctx.logger.error(summary);
      throw new Error(
        `${resourceRef} is ${report.status} on ${cluster}${
          waitSeconds ? ` after waiting ${waitSeconds}s` : ''
        }:\n${summary}`,
      );
    },
  });
}
