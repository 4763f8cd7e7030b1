import { InputError } from '@backstage/errors';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { resolveInside } from '../lib/paths';
import { checkChartSymlinks } from '../policy/helm';

/**
 * The chart directory and values files of `shipyard:deploy`, resolved inside
 * the workspace and checked before helm or a cluster is used: the chart has a
 * Chart.yaml and no symbolic link out of it (helm follows them when it loads
 * a chart, in upgrades too), every values file exists.
 */
export async function resolveChartInputs(
  workspacePath: string,
  chartPath: string,
  valuesFiles: string[] = [],
): Promise<{ chartDir: string; valuesFiles: string[] }> {
  const chartDir = resolveInside(workspacePath, chartPath, 'chartPath');
  if (
    !(await fs.stat(path.join(chartDir, 'Chart.yaml')).catch(() => undefined))
  ) {
    throw new InputError(
      `Invalid chartPath "${chartPath}": no Chart.yaml there`,
    );
  }
  const links = await checkChartSymlinks(chartDir, chartPath);
  if (links.length) {
    throw new InputError(
      `Invalid chartPath "${chartPath}": ${links
        .map(f => `${f.file}: ${f.message}`)
        .join('; ')}`,
    );
  }
  const resolved = valuesFiles.map((v, i) =>
    resolveInside(workspacePath, v, `valuesFiles[${i}]`),
  );
  for (const [i, p] of resolved.entries()) {
    if (!(await fs.stat(p).catch(() => undefined))?.isFile()) {
      throw new InputError(
        `Invalid valuesFiles[${i}] "${valuesFiles[i]}": file not found in the workspace`,
      );
    }
  }
  return { chartDir, valuesFiles: resolved };
}
