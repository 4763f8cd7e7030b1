import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { DEFAULT_TENANCY_RULES } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import type { ShipyardClustersService } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { KubeConfig } from '@kubernetes/client-node';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ShipyardModuleConfig } from '../config';
import { resolveHelmBinary, runHelm } from '../lib/helm';
import { DNS_LABEL, selectClusters, withTempKubeconfig } from '../lib/kube';
import {
  assertObjectsInNamespace,
  builtinScopeOf,
  discoveryScopeOf,
} from '../lib/manifestScope';
import { resolveInside } from '../lib/paths';
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
import { checkChartSymlinks, parseRenderedManifests } from '../policy/helm';
import { SourcedObject } from '../policy/kubernetes';
import { examples } from './deploy.examples';

const HELM_DURATION = /^(\d+h)?(\d+m)?(\d+s)?$/;
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/;

/** Removes credentials of `kc` from text that is about to be logged. */
export function redactCredentials(text: string, kc?: KubeConfig): string {
  let out = text;
  for (const u of kc?.getUsers() ?? []) {
    for (const secret of [u.token, u.password, u.keyData]) {
      if (secret && secret.length >= 8)
        out = out.split(secret).join('[redacted]');
    }
  }
  return out.replace(/(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1[redacted]');
}

/**
 * The objects a release would write: its `manifest` (as the post-renderer
 * received it) and the hooks of the `helm upgrade --dry-run=server --output
 * json` release `json`.
 */
function releaseObjects(manifest: string, json: string): SourcedObject[] {
  const hooks: { path?: string; manifest?: string }[] =
    JSON.parse(json).hooks ?? [];
  return [
    ...parseRenderedManifests(manifest),
    ...hooks.flatMap(h =>
      parseRenderedManifests(String(h.manifest ?? '')).map(o => ({
        ...o,
        source: h.path ?? o.source,
      })),
    ),
  ];
}

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
      const chartDir = resolveInside(
        ctx.workspacePath,
        ctx.input.chartPath,
        'chartPath',
      );
      if (
        !(await fs
          .stat(path.join(chartDir, 'Chart.yaml'))
          .catch(() => undefined))
      ) {
        throw new InputError(
          `Invalid chartPath "${ctx.input.chartPath}": no Chart.yaml there`,
        );
      }
      // helm follows symbolic links when it loads a chart, in upgrades too
      const links = await checkChartSymlinks(chartDir, ctx.input.chartPath);
      if (links.length) {
        throw new InputError(
          `Invalid chartPath "${ctx.input.chartPath}": ${links
            .map(f => `${f.file}: ${f.message}`)
            .join('; ')}`,
        );
      }
      const valuesFiles = (ctx.input.valuesFiles ?? []).map((v, i) =>
        resolveInside(ctx.workspacePath, v, `valuesFiles[${i}]`),
      );
      for (const [i, p] of valuesFiles.entries()) {
        if (!(await fs.stat(p).catch(() => undefined))?.isFile()) {
          throw new InputError(
            `Invalid valuesFiles[${i}] "${
              ctx.input.valuesFiles![i]
            }": file not found in the workspace`,
          );
        }
      }
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

      // The chart's crds/ are installed by helm before (and apart from) the
      // rendered manifest; they are cluster-scoped, so they are refused here
      // and helm is told to skip them (--skip-crds).
      const crds = await runHelm(helm, ['show', 'crds', chartDir], {
        signal: ctx.signal,
      });
      if (crds.code !== 0)
        throw new Error(`helm show crds failed: ${crds.stderr.trim()}`);
      if (crds.stdout.trim()) {
        throw new InputError(
          `Invalid ${field}: the chart has CustomResourceDefinitions in crds/, which are cluster-scoped (a release may only write namespaced objects; a platform admin installs CRDs)`,
        );
      }

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
            // Rendered as the upgrade renders (revision, lookups, cluster
            // capabilities), with nothing written. The post-renderer keeps
            // the manifest in `rendered` and hands helm nothing, so helm's own
            // checks of the objects (which the namespace deployer may not
            // even read when they are elsewhere) do not pre-empt ours.
            const rendered = path.join(home, 'manifest.yaml');
            const plan = await runHelm(
              helm,
              [
                'upgrade',
                '--install',
                ...chartArgs,
                '--skip-crds',
                '--dry-run=server',
                '--post-renderer',
                '/bin/sh',
                '--post-renderer-args',
                '-c',
                '--post-renderer-args',
                'umask 077 && cat > "$0"',
                '--post-renderer-args',
                rendered,
                '--output',
                'json',
              ],
              { env, signal: ctx.signal },
            );
            if (plan.code !== 0) {
              throw new Error(
                `helm upgrade --dry-run=server failed for ${releaseName} on ${cluster}/${namespace}: ${redactCredentials(
                  plan.stderr.trim(),
                  kc,
                )}`,
              );
            }
            const manifest = await fs.readFile(rendered, 'utf8');
            await assertObjectsInNamespace(
              releaseObjects(manifest, plan.stdout),
              namespace,
              discoveryScopeOf(deployer),
              field,
            );
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
              const reason = redactCredentials(r.stderr.trim(), kc);
              ctx.logger.error(
                `Deploy of ${releaseName} to ${cluster}/${namespace} failed: ${reason}`,
              );
              const hist = await runHelm(
                helm,
                [
                  'history',
                  releaseName,
                  '--namespace',
                  namespace,
                  '--max',
                  '3',
                  '--output',
                  'json',
                ],
                { env },
              );
              if (hist.code === 0) {
                try {
                  for (const h of JSON.parse(hist.stdout)) {
                    ctx.logger.info(
                      `  revision ${h.revision} ${
                        h.status
                      }: ${redactCredentials(String(h.description ?? ''), kc)}`,
                    );
                  }
                } catch {
                  // history is best effort
                }
              }
              throw new Error(
                `helm upgrade --install --atomic failed for ${releaseName} on ${cluster}/${namespace} (rolled back): ${reason}`,
              );
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
