/** Severity of a policy finding. `error` findings fail `shipyard:validate`. @public */
export type Severity = 'error' | 'warning' | 'info';

/** One policy finding. @public */
export interface Finding {
  /** Stable rule id, e.g. `dockerfile.pinned-base-image` or `k8s.pss.run-as-non-root`. */
  rule: string;
  /** File the finding is about, relative to the validated directory. */
  file: string;
  /** 1-based line in `file`, when known. */
  line?: number;
  /** What is wrong and how to fix it. */
  message: string;
  /** How serious the finding is. */
  severity: Severity;
}

/** Result of validating a directory. @public */
export interface PolicyReport {
  /** true when there is no `error` finding. */
  passed: boolean;
  /** Number of findings per severity. */
  summary: { errors: number; warnings: number; infos: number };
  /** What was checked, relative paths. */
  checked: {
    dockerfiles: string[];
    composeFiles: string[];
    charts: { chart: string; valuesFiles: string[] }[];
  };
  /** Every finding, in the order the checks produced them. */
  findings: Finding[];
}

/** Counts findings per severity. */
export function summarize(findings: Finding[]): PolicyReport['summary'] {
  return {
    errors: findings.filter(f => f.severity === 'error').length,
    warnings: findings.filter(f => f.severity === 'warning').length,
    infos: findings.filter(f => f.severity === 'info').length,
  };
}

/** Human readable, one line per finding, errors first. @public */
export function formatFindings(findings: Finding[]): string {
  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return [...findings]
    .sort((a, b) => order[a.severity] - order[b.severity])
    .map(
      f =>
        `${f.severity.toUpperCase()} ${f.file}${f.line ? `:${f.line}` : ''} [${
          f.rule
        }] ${f.message}`,
    )
    .join('\n');
}
