import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { checkCompose } from './compose';
import { checkDockerfile } from './dockerfile';
import { checkChartSymlinks, checkHelmChart } from './helm';
import { Finding, PolicyReport, summarize } from './types';

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'vendor']);
const COMPOSE_NAMES = new Set([
  'compose.yaml',
  'compose.yml',
  'docker-compose.yaml',
  'docker-compose.yml',
]);

async function walk(root: string, maxDepth = 5): Promise<string[]> {
  const out: string[] = [];
  async function rec(dir: string, depth: number) {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && depth < maxDepth) await rec(p, depth + 1);
      } else if (e.isFile()) {
        out.push(p);
      }
    }
  }
  await rec(root, 0);
  return out.sort();
}

const rel = (root: string, p: string) =>
  path.relative(root, p).split(path.sep).join('/') || '.';

/**
 * Validates every Dockerfile, Compose file and Helm chart (directory with a
 * Chart.yaml) under `dir`. Charts are rendered with helm when `helm` is given;
 * without it a chart is an error finding.
 *
 * @public
 */
export async function validateDirectory(
  dir: string,
  options: { helm?: string; signal?: AbortSignal } = {},
): Promise<PolicyReport> {
  const files = await walk(dir);
  const findings: Finding[] = [];
  const report: PolicyReport['checked'] = {
    dockerfiles: [],
    composeFiles: [],
    charts: [],
  };

  const dockerfiles = files.filter(f =>
    /^(Dockerfile(\..+)?|.+\.Dockerfile)$/.test(path.basename(f)),
  );
  const healthcheckDirs = new Set<string>();
  for (const f of dockerfiles) {
    const content = await fs.readFile(f, 'utf8');
    report.dockerfiles.push(rel(dir, f));
    findings.push(...checkDockerfile(content, rel(dir, f)));
    if (
      DockerfileParser.parse(content)
        .getInstructions()
        .some(i => i.getKeyword() === 'HEALTHCHECK')
    ) {
      healthcheckDirs.add(path.dirname(f));
    }
  }

  for (const f of files.filter(x => COMPOSE_NAMES.has(path.basename(x)))) {
    const d = path.dirname(f);
    const exists = (n: string) =>
      fs.stat(path.join(d, n)).then(
        () => true,
        () => false,
      );
    report.composeFiles.push(rel(dir, f));
    findings.push(
      ...checkCompose(await fs.readFile(f, 'utf8'), rel(dir, f), {
        hasEnvExample: await exists('.env.example'),
        hasDotEnv: await exists('.env'),
        dockerfileHasHealthcheck: healthcheckDirs.has(d),
      }),
    );
  }

  const chartYamls = files.filter(x => path.basename(x) === 'Chart.yaml');
  const chartDirs = chartYamls.map(x => path.dirname(x));
  // subcharts (<chart>/charts/<sub>) are rendered as part of their parent
  const topLevel = chartYamls.filter(
    x =>
      !chartDirs.some(
        d => d !== path.dirname(x) && path.dirname(x).startsWith(d + path.sep),
      ),
  );
  for (const chartYaml of topLevel) {
    const chartDir = path.dirname(chartYaml);
    const relChart = rel(dir, chartDir);
    if (!options.helm) {
      findings.push(...(await checkChartSymlinks(chartDir, relChart)));
      findings.push({
        rule: 'helm.binary',
        file: relChart,
        message: 'helm is not available',
        severity: 'error',
      });
      report.charts.push({ chart: relChart, valuesFiles: [] });
      continue;
    }
    const r = await checkHelmChart(options.helm, chartDir, relChart, {
      signal: options.signal,
    });
    findings.push(...r.findings);
    report.charts.push({ chart: relChart, valuesFiles: r.valuesFiles });
  }

  const summary = summarize(findings);
  return { passed: summary.errors === 0, summary, checked: report, findings };
}
