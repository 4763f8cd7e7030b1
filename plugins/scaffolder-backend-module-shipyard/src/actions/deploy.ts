import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { ShipyardClustersService } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { KubeConfig } from '@kubernetes/client-node';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ShipyardModuleConfig } from '../config';
import { resolveHelmBinary, runHelm } from '../lib/helm';
import {
  DNS_LABEL,
  LABEL_VALUE,
  selectClusters,
  withTempKubeconfig,
} from '../lib/kube';
import { resolveInside } from '../lib/paths';
import { parseRenderedManifests } from '../policy/helm';
import { examples } from './deploy.examples';
import { assertTeamNamespace } from '../lib/teamNamespace';

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
 * `shipyard:deploy`: `helm upgrade --install --atomic --wait` of a chart from
 * the workspace into a configured cluster and namespace.
 *
 * @public
 */
export function createShipyardDeployAction(options: {
  clusters: ShipyardClustersService;
  config?: ShipyardModuleConfig;
}) {
  return createTemplateAction({
    id: 'shipyard:deploy',
    description:
      'Deploys a Helm chart from the workspace with `helm upgrade --install --atomic --wait` into a configured cluster and namespace. A failed rollout is rolled back and the reason logged. Dry run renders the chart only (helm template).',
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
        namespace: z =>
          z
            .string()
            .describe(
              'Target namespace (must exist, e.g. from shipyard:kubernetes:namespace).',
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
              'Team that must own the namespace (its shipyard.dev/team label). When set, a missing namespace or one of another team is refused before helm runs.',
            )
            .optional(),
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
      const { team } = ctx.input;
      if (team !== undefined && (!team || !LABEL_VALUE.test(team))) {
        throw new InputError(
          `Invalid team "${team}": must be a valid label value (at most 63 characters: letters, digits, "-", "_", ".")`,
        );
      }
      if (!timeout || !HELM_DURATION.test(timeout)) {
        throw new InputError(
          `Invalid timeout "${timeout}": use a duration such as 5m or 90s`,
        );
      }
      if (!cluster)
        throw new InputError('Invalid cluster: a cluster name is required');
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
      const valuesFiles = (ctx.input.valuesFiles ?? []).map((v, i) => {
        const p = resolveInside(ctx.workspacePath, v, `valuesFiles[${i}]`);
        return p;
      });
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
      const valuesArgs = valuesFiles.flatMap(v => ['--values', v]);

      ctx.output('release', releaseName);
      ctx.output('namespace', namespace);
      ctx.output('cluster', cluster);

      // What the release would write. The deployer may write to more than the
      // target namespace, so a chart must not place objects elsewhere (or
      // create namespaces): that would slip past the team's namespace.
      const rendered = await runHelm(
        helm,
        [
          'template',
          releaseName,
          chartDir,
          '--namespace',
          namespace,
          ...valuesArgs,
        ],
        { signal: ctx.signal },
      );
      if (rendered.code !== 0)
        throw new Error(`helm template failed: ${rendered.stderr.trim()}`);
      const objs = parseRenderedManifests(rendered.stdout);
      const outside = objs
        .map(o => o.object)
        .filter(
          o =>
            o.kind === 'Namespace' ||
            (o.metadata?.namespace !== undefined &&
              o.metadata.namespace !== namespace),
        );
      if (outside.length > 0) {
        throw new InputError(
          `Invalid chartPath "${
            ctx.input.chartPath
          }": the chart writes outside namespace ${namespace}: ${outside
            .map(
              o =>
                `${o.kind}/${o.metadata?.name}${
                  o.metadata?.namespace ? ` in ${o.metadata.namespace}` : ''
                }`,
            )
            .join(', ')}`,
        );
      }

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would deploy ${releaseName} to ${cluster}/${namespace}: ${objs
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
          if (team !== undefined) {
            await assertTeamNamespace(kc, {
              cluster,
              namespace,
              team,
              mustExist: true,
            });
          }
          return withTempKubeconfig(kc, async kubeconfig => {
            const home = path.dirname(kubeconfig);
            const env = {
              KUBECONFIG: kubeconfig,
              HOME: home,
              HELM_CACHE_HOME: path.join(home, 'cache'),
              HELM_CONFIG_HOME: path.join(home, 'config'),
              HELM_DATA_HOME: path.join(home, 'data'),
            };
            ctx.logger.info(
              `helm upgrade --install ${releaseName} ${ctx.input.chartPath} --namespace ${namespace} --atomic --wait --timeout ${timeout} (cluster ${cluster})`,
            );
            const r = await runHelm(
              helm,
              [
                'upgrade',
                '--install',
                releaseName,
                chartDir,
                '--namespace',
                namespace,
                '--atomic',
                '--wait',
                '--timeout',
                timeout,
                ...valuesArgs,
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
