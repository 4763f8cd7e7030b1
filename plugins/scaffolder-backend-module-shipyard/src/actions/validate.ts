import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { promises as fs } from 'node:fs';
import { ShipyardModuleConfig } from '../config';
import { resolveHelmBinary } from '../lib/helm';
import { resolveInside } from '../lib/paths';
import { formatFindings, PolicyReport, validateDirectory } from '../policy';
import { examples } from './validate.examples';

/** Zod description of a {@link PolicyReport}, shared with other schemas. */
export const policyReportSchema = (z: any) =>
  z
    .object({
      passed: z.boolean().describe('true when there is no error finding'),
      summary: z.object({
        errors: z.number(),
        warnings: z.number(),
        infos: z.number(),
      }),
      checked: z.object({
        dockerfiles: z.array(z.string()),
        composeFiles: z.array(z.string()),
        charts: z.array(
          z.object({ chart: z.string(), valuesFiles: z.array(z.string()) }),
        ),
      }),
      findings: z.array(
        z.object({
          rule: z.string(),
          file: z.string(),
          line: z.number().optional(),
          message: z.string(),
          severity: z.enum(['error', 'warning', 'info']),
        }),
      ),
    })
    .describe(
      'Policy report: findings with rule id, file, line, message, severity',
    );

/**
 * `shipyard:validate`: checks the Dockerfile(s), Compose file(s) and Helm
 * chart(s) of the workspace against the Shipyard baselines. Charts are
 * rendered with the real helm binary for each `values-*.yaml`.
 *
 * @public
 */
export function createShipyardValidateAction(
  options: { config?: ShipyardModuleConfig } = {},
) {
  return createTemplateAction({
    id: 'shipyard:validate',
    description:
      'Validates the Dockerfile, Compose file and Helm chart (rendered with helm for each values-*.yaml) in the workspace against the Shipyard policy baselines. Fails on error findings.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        path: z =>
          z
            .string()
            .describe(
              'Directory inside the workspace to validate. Default: the workspace root.',
            )
            .optional(),
        failOnWarnings: z =>
          z
            .boolean()
            .describe('Also fail the step on warning findings. Default: false.')
            .optional(),
      },
      output: {
        report: policyReportSchema,
      },
    },
    async handler(ctx) {
      const dir = resolveInside(ctx.workspacePath, ctx.input.path, 'path');
      const stat = await fs.stat(dir).catch(() => undefined);
      if (!stat?.isDirectory()) {
        throw new InputError(
          `Invalid path "${
            ctx.input.path ?? '.'
          }": not a directory in the workspace`,
        );
      }

      // A chart needs helm; resolve it up front so a missing binary is a clear
      // error naming the config key, not a per-chart finding.
      const hasChart = await containsChart(dir);
      const helm = hasChart
        ? await resolveHelmBinary(options.config?.helmPath)
        : undefined;
      if (helm) ctx.logger.info(`Rendering charts with ${helm}`);

      const report: PolicyReport = await validateDirectory(dir, {
        helm,
        signal: ctx.signal,
      });
      const { errors, warnings, infos } = report.summary;
      const checked = [
        ...report.checked.dockerfiles,
        ...report.checked.composeFiles,
        ...report.checked.charts.map(
          c => `${c.chart} (${c.valuesFiles.join(', ') || 'values.yaml'})`,
        ),
      ];
      ctx.logger.info(
        `Checked: ${checked.join('; ') || 'nothing found to check'}`,
      );
      ctx.logger.info(
        `Policy: ${errors} error(s), ${warnings} warning(s), ${infos} info(s)`,
      );
      if (report.findings.length)
        ctx.logger.info(`\n${formatFindings(report.findings)}`);
      ctx.output('report', report as any);

      const failing = errors + (ctx.input.failOnWarnings ? warnings : 0);
      if (failing > 0) {
        const top = formatFindings(
          report.findings.filter(
            f =>
              f.severity === 'error' ||
              (ctx.input.failOnWarnings && f.severity === 'warning'),
          ),
        )
          .split('\n')
          .slice(0, 20)
          .join('\n');
        throw new Error(
          `Policy validation failed with ${failing} finding(s):\n${top}`,
        );
      }
    },
  });
}

async function containsChart(dir: string): Promise<boolean> {
  const { readdir } = fs;
  const stack = [{ d: dir, depth: 0 }];
  while (stack.length) {
    const { d, depth } = stack.pop()!;
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.isFile() && e.name === 'Chart.yaml') return true;
      if (
        e.isDirectory() &&
        depth < 5 &&
        !['node_modules', '.git'].includes(e.name)
      ) {
        stack.push({ d: `${d}/${e.name}`, depth: depth + 1 });
      }
    }
  }
  return false;
}
