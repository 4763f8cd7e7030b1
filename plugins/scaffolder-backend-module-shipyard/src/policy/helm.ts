import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runHelm } from '../lib/helm';
import { findEscapingSymlinks } from '../lib/paths';
import { checkKubernetesObjects, SourcedObject } from './kubernetes';
import { Finding } from './types';

/**
 * Splits `helm template` output (or any multi-document manifest) into objects,
 * keeping the `# Source:` of each; throws on invalid YAML. `sourcePrefix`
 * replaces the chart name at the start of the source path and `suffix` is
 * appended (e.g. ` (values-prod.yaml)`).
 *
 * @public
 */
export function parseRenderedManifests(
  rendered: string,
  options: { chartName?: string; sourcePrefix?: string; suffix?: string } = {},
): SourcedObject[] {
  const out: SourcedObject[] = [];
  for (const chunk of rendered.split(/^---\s*$/m)) {
    if (!chunk.trim()) continue;
    const m = /^#\s*Source:\s*(.+)$/m.exec(chunk);
    let source = m ? m[1].trim() : 'rendered';
    if (
      options.chartName &&
      options.sourcePrefix !== undefined &&
      source.startsWith(`${options.chartName}/`)
    ) {
      source = path.posix.join(
        options.sourcePrefix,
        source.slice(options.chartName.length + 1),
      );
    }
    source += options.suffix ?? '';
    for (const doc of parseAllDocuments(chunk)) {
      if (doc.errors.length) {
        throw new Error(`invalid YAML in ${source}: ${doc.errors[0].message}`);
      }
      const object = doc.toJS();
      if (object && typeof object === 'object') out.push({ object, source });
    }
  }
  return out;
}

/** Values files a chart is validated with: every `values-*.yaml` (or the defaults only). */
export async function listValuesFiles(chartDir: string): Promise<string[]> {
  const entries = await fs.readdir(chartDir);
  return entries.filter(e => /^values-.+\.ya?ml$/.test(e)).sort();
}

/**
 * Error findings for the symbolic links in a chart that resolve outside it:
 * helm follows links when it loads a chart, so such a link would render (or
 * package) a file from elsewhere on the host. Links within the chart pass.
 *
 * @param chartDir - absolute chart directory
 * @param relChartDir - chart directory as reported in findings
 * @public
 */
export async function checkChartSymlinks(
  chartDir: string,
  relChartDir: string,
): Promise<Finding[]> {
  const links = await findEscapingSymlinks(chartDir, { allowAbsolute: true });
  return links.map(l => ({
    rule: 'helm.symlink',
    file: path.posix.join(relChartDir, l.path),
    message: `symbolic link to ${l.target} ${
      l.reason === 'points outside' ? 'points outside the chart' : l.reason
    }: helm follows links, so the chart would read a file from outside it; copy the file into the chart instead`,
    severity: 'error' as const,
  }));
}

/**
 * Renders a chart with the real helm for each values file and checks every
 * rendered object with {@link checkKubernetesObjects}. A chart with links
 * that leave it ({@link checkChartSymlinks}) is not rendered: those findings
 * are returned instead.
 *
 * @param helm - helm executable (see {@link resolveHelmBinary})
 * @param chartDir - absolute chart directory
 * @param relChartDir - chart directory as reported in findings
 * @public
 */
export async function checkHelmChart(
  helm: string,
  chartDir: string,
  relChartDir: string,
  options: { signal?: AbortSignal } = {},
): Promise<{ findings: Finding[]; valuesFiles: string[] }> {
  // Not rendered at all when it links outside: helm would read those files.
  const links = await checkChartSymlinks(chartDir, relChartDir);
  if (links.length) return { findings: links, valuesFiles: [] };
  const findings: Finding[] = [];
  const chartYaml = await fs.readFile(
    path.join(chartDir, 'Chart.yaml'),
    'utf8',
  );
  const chartName: string =
    (parseAllDocuments(chartYaml)[0] as any)?.toJS?.()?.name ??
    path.basename(chartDir);

  const exists = (p: string) =>
    fs.stat(path.join(chartDir, p)).then(
      () => true,
      () => false,
    );
  if (!(await exists('values.schema.json'))) {
    findings.push({
      rule: 'helm.values-schema',
      file: path.posix.join(relChartDir, 'values.schema.json'),
      message: 'no values.schema.json: values are not validated',
      severity: 'warning',
    });
  }

  const valuesFiles = await listValuesFiles(chartDir);
  const runs = valuesFiles.length ? valuesFiles : [undefined];
  for (const valuesFile of runs) {
    const label = valuesFile ?? 'values.yaml';
    const args = [
      'template',
      'shipyard-validate',
      chartDir,
      '--namespace',
      'shipyard-validate',
    ];
    if (valuesFile) args.push('--values', path.join(chartDir, valuesFile));
    const result = await runHelm(helm, args, {
      signal: options.signal,
      timeoutMs: 120_000,
    });
    if (result.code !== 0) {
      findings.push({
        rule: 'helm.render',
        file: path.posix.join(relChartDir, label),
        message: `helm template failed: ${result.stderr
          .trim()
          .split('\n')
          .slice(-5)
          .join(' ')}`,
        severity: 'error',
      });
      continue;
    }
    const objects = parseRenderedManifests(result.stdout, {
      chartName,
      sourcePrefix: relChartDir,
      suffix: ` (${label})`,
    });
    if (objects.length === 0) {
      findings.push({
        rule: 'helm.render',
        file: path.posix.join(relChartDir, label),
        message: 'the chart renders no objects',
        severity: 'error',
      });
    }
    findings.push(...checkKubernetesObjects(objects));
  }
  return { findings, valuesFiles };
}
