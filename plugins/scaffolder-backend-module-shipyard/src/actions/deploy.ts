import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { DEFAULT_TENANCY_RULES } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import type { ShipyardClustersService } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import path from 'node:path';
import { ShipyardModuleConfig } from '../config';
import { resolveHelmBinary, runHelm } from '../lib/helm';
import { DNS_LABEL, selectClusters, withTempKubeconfig } from '../lib/kube';
import { assertObjectsInNamespace, builtinScopeOf } from '../lib/manifestScope';
import {
  assertReleaseOwner,
  parseOwnerRef,
  releaseLabelsArg,
} from '../lib/releaseOwner';
import {
  assertMayActForTeam,
  assertNamespaceOfTeam,
  parseTeam,
} from '../lib/teamAccess';
import {
  asNamespaceDeployer,
  assertTeamNamespace,
  namespaceDeployerUser,
} from '../lib/teamNamespace';
import { parseRenderedManifests } from '../policy/helm';
import { examples } from './deploy.examples';
import { helmDeployFailure } from './deployFailure';
import { resolveChartInputs } from './deployInputs';
import { assertNoCrds, planRelease } from './deployPlan';

const HELM_DURATION = /^(\d+h)?(\d+m)?(\d+s)?$/;
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/;

/**
 * `shipyard:deploy`: `helm upgrade --install --atomic --wait` of a chart from
 * the workspace into a team namespace, for a team the signed-in user belongs
 * to. helm runs as the namespace's deployer ServiceAccount, so the API server
 * refuses writes outside the namespace; the rendered objects are checked
 * first, and exactly the checked manifest is installed.
 *
 * @public
 */
export function createShipyardDeployAction(options: {
  clusters: ShipyardClustersService;
  /** The catalog, read with the task initiator's credentials for the team and the user's groups. */
  catalog: CatalogService;
  /** `tenancy` sets who may act for which team; the defaults of `DEFAULT_TENANCY_RULES` when unset. */
  config?: ShipyardModuleConfig;
}) {
  const rules = options.config?.tenancy ?? DEFAULT_TENANCY_RULES;
  return createTemplateAction({
    id: 'shipyard:deploy',
    description:
      'Deploys a Helm chart from the workspace with `helm upgrade --install --atomic --wait` into a team namespace of a configured cluster, for a catalog group the signed-in user is a member of (or any group for shipyard.tenancy.platformGroups). helm runs as the namespace deployer ServiceAccount (edit in that namespace only); a chart writing another namespace or a cluster-scoped kind is refused before install. The release records its entity and is upgraded only for the same entity. A failed rollout is rolled back and the reason logged. Dry run is checked the same way and renders the chart only (helm template).',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        chartPath: z =>
          z
            .string()
            .describe(
              'Chart directory, relative to the workspace (e.g. ./chart).',
            ),
        releaseName: z =>
          z
            .string()
            .describe('Helm release name (DNS label, at most 53 characters).'),
        entityRef: z =>
          z
            .string()
            .describe(
              'The catalog entity the release belongs to (e.g. component:default/payments-api). Recorded on the release; an existing release of another entity is not upgraded.',
            ),
        namespace: z =>
          z
            .string()
            .describe(
              "Target namespace: one of the team's (shipyard.tenancy.teamNamespaces, default the team name), prepared by shipyard:kubernetes:namespace.",
            ),
        cluster: z =>
          z
            .string()
            .describe(
              'Name of a configured cluster; credentials come from backend config.',
            ),
        team: z =>
          z
            .string()
            .describe(
              'Team: a group name (team-a) or group entity ref of the catalog that the signed-in user belongs to. The namespace must carry its shipyard.dev/team label.',
            ),
        valuesFiles: z =>
          z
            .array(z.string())
            .describe(
              'Values files relative to the workspace, applied in order (later wins).',
            )
            .optional(),
        timeout: z =>
          z
            .string()
            .describe(
              'helm --timeout as a Go duration (e.g. 5m, 90s). Default: 5m.',
            )
            .optional(),
      },
      output: {
        release: z => z.string().describe('The release name'),
        revision: z =>
          z.number().describe('The deployed release revision (0 in dry run)'),
        namespace: z => z.string().describe('The namespace deployed to'),
        cluster: z => z.string().describe('The cluster deployed to'),
      },
    },
    async handler(ctx) {
      const { releaseName, namespace, cluster } = ctx.input;
      const timeout = ctx.input.timeout ?? '5m';
      if (!RELEASE_NAME.test(releaseName ?? '')) {
        throw new InputError(
          `Invalid releaseName "${releaseName}": must be a DNS label of at most 53 characters`,
        );
      }
      if (!DNS_LABEL.test(namespace ?? '')) {
        throw new InputError(
          `Invalid namespace "${namespace}": must be a DNS label`,
        );
      }
      if (!timeout || !HELM_DURATION.test(timeout)) {
        throw new InputError(
          `Invalid timeout "${timeout}": use a duration such as 5m or 90s`,
        );
      }
      if (!cluster)
        throw new InputError('Invalid cluster: a cluster name is required');
      const owner = parseOwnerRef(ctx.input.entityRef, 'entityRef');
      const { ref: teamRef, name: team } = parseTeam(ctx.input.team);
      assertNamespaceOfTeam(namespace, teamRef, rules);
      // before helm or any cluster is touched, also in dry run: the form's team is not trusted
      await assertMayActForTeam({
        user: ctx.user,
        team: teamRef,
        catalog: options.catalog,
        credentials: await ctx.getInitiatorCredentials(),
        rules,
      });
      const { chartDir, valuesFiles } = await resolveChartInputs(
        ctx.workspacePath,
        ctx.input.chartPath,
        ctx.input.valuesFiles,
      );
      await selectClusters(
        options.clusters,
        [cluster],
        options.config?.allowedClusters,
        'cluster',
      );
      const helm = await resolveHelmBinary(options.config?.helmPath);
      const chartArgs = [
        releaseName,
        chartDir,
        '--namespace',
        namespace,
        ...valuesFiles.flatMap(v => ['--values', v]),
      ];
      const field = `chartPath "${ctx.input.chartPath}"`;

      ctx.output('release', releaseName);
      ctx.output('namespace', namespace);
      ctx.output('cluster', cluster);

      await assertNoCrds(helm, chartDir, field, ctx.signal);

      if (ctx.isDryRun) {
        const rendered = await runHelm(helm, ['template', ...chartArgs], {
          signal: ctx.signal,
        });
        if (rendered.code !== 0)
          throw new Error(`helm template failed: ${rendered.stderr.trim()}`);
        const objs = parseRenderedManifests(rendered.stdout);
        await assertObjectsInNamespace(objs, namespace, builtinScopeOf, field);
        ctx.logger.info(
          `Dry run: would deploy ${releaseName} to ${cluster}/${namespace} as ${namespaceDeployerUser(
            namespace,
          )}: ${objs
            .map(o => `${o.object.kind}/${o.object.metadata?.name}`)
            .join(', ')}`,
        );
        ctx.output('revision', 0);
        return;
      }

      const revision = await ctx.checkpoint({
        key: `shipyard.deploy.v1.${cluster}.${namespace}.${releaseName}`,
        fn: async () => {
          const kc = await options.clusters.getKubeConfig(cluster, 'deploy');
          await assertTeamNamespace(kc, {
            cluster,
            namespace,
            team,
            mustExist: true,
          });
          // every cluster request from here on has the namespace's rights only
          const deployer = asNamespaceDeployer(kc, namespace);
          await assertReleaseOwner(deployer, {
            cluster,
            namespace,
            release: releaseName,
            owner,
          });
          return withTempKubeconfig(deployer, async kubeconfig => {
            const home = path.dirname(kubeconfig);
            const env = {
              KUBECONFIG: kubeconfig,
              HOME: home,
              HELM_CACHE_HOME: path.join(home, 'cache'),
              HELM_CONFIG_HOME: path.join(home, 'config'),
              HELM_DATA_HOME: path.join(home, 'data'),
            };
            // Rendered as the upgrade renders and checked (see planRelease);
            // nothing is written to the cluster.
            const rendered = path.join(home, 'manifest.yaml');
            await planRelease({
              helm,
              chartArgs,
              rendered,
              env,
              signal: ctx.signal,
              kc,
              deployer,
              releaseName,
              cluster,
              namespace,
              field,
            });
            // A second render may differ (lookup, now, rand): the checked
            // manifest replaces it (post-renderer `cat <file>`), so what is
            // applied is what was checked. Hooks do not pass a post-renderer
            // in helm 3; they were checked above and RBAC confines them.
            ctx.logger.info(
              `helm upgrade --install ${releaseName} ${
                ctx.input.chartPath
              } --namespace ${namespace} --atomic --wait --timeout ${timeout} as ${namespaceDeployerUser(
                namespace,
              )} (cluster ${cluster}, release of ${ctx.input.entityRef})`,
            );
            const r = await runHelm(
              helm,
              [
                'upgrade',
                '--install',
                ...chartArgs,
                '--skip-crds',
                '--atomic',
                '--wait',
                '--timeout',
                timeout,
                '--labels',
                releaseLabelsArg(owner, team),
                '--post-renderer',
                'cat',
                '--post-renderer-args',
                rendered,
                '--output',
                'json',
              ],
              { env, signal: ctx.signal },
            );
            if (r.code !== 0) {
              throw await helmDeployFailure({
                helm,
                env,
                stderr: r.stderr,
                kc,
                logger: ctx.logger,
                releaseName,
                cluster,
                namespace,
              });
            }
            let rev = 0;
            try {
              rev = Number(JSON.parse(r.stdout).version) || 0;
            } catch {
              const m = /REVISION:\s*(\d+)/.exec(r.stdout);
              rev = m ? Number(m[1]) : 0;
            }
            return rev;
          });
        },
      });
      ctx.logger.info(
        `Deployed ${releaseName} to ${cluster}/${namespace}: revision ${revision}`,
      );
      ctx.output('revision', revision);
    },
  });
}
