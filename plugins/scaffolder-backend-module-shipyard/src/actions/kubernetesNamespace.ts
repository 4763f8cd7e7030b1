import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { DEFAULT_TENANCY_RULES } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import type { ShipyardClustersService } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import {
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { ShipyardModuleConfig } from '../config';
import {
  describeKubeError,
  DNS_LABEL,
  kubeErrorCode,
  selectClusters,
} from '../lib/kube';
import {
  assertTeamNamespace,
  FIELD_MANAGER,
  teamNamespaceManifests,
} from '../lib/teamNamespace';
import {
  assertMayActForTeam,
  assertNamespaceOfTeam,
  parseTeam,
} from '../lib/teamAccess';
import { examples } from './kubernetesNamespace.examples';

const describeObj = (o: KubernetesObject) =>
  `${o.kind}/${o.metadata?.name}${
    o.kind === 'Namespace' ? '' : ` in ${o.metadata?.namespace}`
  }`;

/**
 * `shipyard:kubernetes:namespace`: ensures the team namespace on the chosen
 * clusters with server-side apply, for a team the signed-in user belongs to
 * (or any team for a platform group member), and only a namespace of that team.
 *
 * @public
 */
export function createShipyardKubernetesNamespaceAction(options: {
  clusters: ShipyardClustersService;
  /** The catalog, read with the task initiator's credentials for the team and the user's groups. */
  catalog: CatalogService;
  /** `tenancy` sets who may act for which team; the defaults of `DEFAULT_TENANCY_RULES` when unset. */
  config?: ShipyardModuleConfig;
}) {
  const rules = options.config?.tenancy ?? DEFAULT_TENANCY_RULES;
  return createTemplateAction({
    id: 'shipyard:kubernetes:namespace',
    description:
      'Ensures a team namespace (Pod Security restricted, ResourceQuota with object counts, LimitRange, default-deny NetworkPolicies with allow rules, RoleBinding to edit for the team group) on the given clusters with server-side apply. Only for a catalog group the signed-in user is a member of (parent groups included) or for any group by a member of shipyard.tenancy.platformGroups; the namespace must be one of the team (shipyard.tenancy.teamNamespaces, default its name) and not reserved. Idempotent; dry run is checked the same way and uses server-side dry run.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        namespace: z =>
          z
            .string()
            .describe('Namespace name (DNS label, at most 63 characters).'),
        team: z =>
          z
            .string()
            .describe(
              'Team: a group name (team-a) or group entity ref (group:default/team-a) of the catalog. Its name is the namespace label value and the RoleBinding subject group.',
            ),
        clusters: z =>
          z
            .array(z.string())
            .describe(
              'Names of configured clusters to prepare the namespace on: the ones the task deploys to. Default: every configured cluster (in shipyard.deploy.allowedClusters). Credentials always come from backend config.',
            )
            .optional(),
      },
      output: {
        clusters: z =>
          z.array(z.string()).describe('Clusters the namespace was applied to'),
        objects: z =>
          z
            .array(z.string())
            .describe(
              'Applied objects, e.g. "ResourceQuota/team-quota in payments"',
            ),
      },
    },
    async handler(ctx) {
      const { namespace } = ctx.input;
      if (!DNS_LABEL.test(namespace ?? '')) {
        throw new InputError(
          `Invalid namespace "${namespace}": must be a DNS label (a-z, 0-9, "-", at most 63 characters)`,
        );
      }
      if (
        ctx.input.clusters !== undefined &&
        !Array.isArray(ctx.input.clusters)
      ) {
        throw new InputError(
          'Invalid clusters: must be a list of cluster names',
        );
      }
      const { ref: teamRef, name: team } = parseTeam(ctx.input.team);
      assertNamespaceOfTeam(namespace, teamRef, rules);
      // before any cluster is touched, also in dry run: the form's team is not trusted
      await assertMayActForTeam({
        user: ctx.user,
        team: ctx.input.team,
        catalog: options.catalog,
        credentials: await ctx.getInitiatorCredentials(),
        rules,
      });
      const clusterNames = await selectClusters(
        options.clusters,
        ctx.input.clusters,
        options.config?.allowedClusters,
        'clusters',
      );
      const manifests = teamNamespaceManifests({
        namespace,
        team,
        ingressNamespace: options.config?.ingressNamespace,
      });
      const dryRun = ctx.isDryRun ? 'All' : undefined;

      const applied: string[] = [];
      for (const cluster of clusterNames) {
        const apply = async () => {
          const kubeConfig = await options.clusters.getKubeConfig(
            cluster,
            'deploy',
          );
          await assertTeamNamespace(kubeConfig, {
            cluster,
            namespace,
            team,
            mustExist: false,
          });
          const client = KubernetesObjectApi.makeApiClient(kubeConfig);
          const done: string[] = [];
          for (const obj of manifests) {
            try {
              await client.patch(
                obj,
                undefined,
                dryRun,
                FIELD_MANAGER,
                true,
                PatchStrategy.ServerSideApply,
              );
              done.push(describeObj(obj));
            } catch (e) {
              if (
                dryRun &&
                obj.kind !== 'Namespace' &&
                kubeErrorCode(e) === 404
              ) {
                // the namespace does not exist yet, so its objects cannot be dry-run server-side
                ctx.logger.info(
                  `[${cluster}] dry run: would create ${describeObj(
                    obj,
                  )} (namespace does not exist yet)`,
                );
                done.push(describeObj(obj));
                continue;
              }
              throw new Error(
                `[${cluster}] applying ${describeObj(
                  obj,
                )} failed: ${describeKubeError(e)}`,
              );
            }
          }
          return done;
        };
        const done = dryRun
          ? await apply()
          : await ctx.checkpoint({
              key: `shipyard.kubernetes.namespace.v1.${cluster}.${namespace}.${team}`,
              fn: apply,
            });
        ctx.logger.info(
          `[${cluster}] ${
            dryRun ? 'server-side dry run of' : 'applied'
          } namespace ${namespace} for team ${team}: ${done.join(', ')}`,
        );
        applied.push(...done.map(d => `${cluster}: ${d}`));
      }
      ctx.output('clusters', clusterNames);
      ctx.output('objects', applied);
    },
  });
}
