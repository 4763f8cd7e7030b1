/**
 * The real kube-score (github.com/zegl/kube-score) for the chart tests: the
 * golden-path templates' charts and the portal's own chart are scored with the
 * flags of tools/k8s/kube-score.args, the one documented list of the checks
 * Shipyard deliberately does not follow.
 *
 * kube-score is a test-only tool of the toolchain: `scripts/cluster build
 * kube-score` builds it from its Go module into the version-keyed cache (or
 * finds it there, or takes SHIPYARD_KUBE_SCORE); `scripts/start` never does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { exec, repoRoot, requireTestTool } from './testTools';

/** The documented kube-score configuration the tests use. @public */
export const KUBE_SCORE_CONFIG = path.join(
  repoRoot,
  'tools',
  'k8s',
  'kube-score.args',
);

/** How long building kube-score may take when it is not cached yet (~100 s on 2 cores). @public */
export const KUBE_SCORE_BUILD_TIMEOUT_MS = 600_000;

/** One CRITICAL or WARNING finding, as `[GRADE] Kind/name check-id: (path) summary`. @public */
export type KubeScoreFinding = string;

/**
 * The kube-score binary, built on first use (`scripts/cluster build
 * kube-score`). @public
 */
export function requireKubeScore(): Promise<string> {
  return requireTestTool('kube-score', KUBE_SCORE_BUILD_TIMEOUT_MS);
}

/** The flags of tools/k8s/kube-score.args (comments and blank lines dropped). @public */
export function kubeScoreConfigArgs(): string[] {
  return readFileSync(KUBE_SCORE_CONFIG, 'utf8')
    .split('\n')
    .map(line => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

/** The Kubernetes minor the toolchain pins (tools/k8s/versions.env), for kube-score's API checks. */
function kubernetesVersion(): string {
  const env = readFileSync(
    path.join(repoRoot, 'tools', 'k8s', 'versions.env'),
    'utf8',
  );
  const version = /^KUBE_VERSION=(v\d+\.\d+)/m.exec(env)?.[1];
  if (!version) throw new Error('KUBE_VERSION missing in versions.env');
  return version;
}

/** kube-score's grades (scorecard.Grade): at most this is a finding. */
const GRADE_NAMES: Record<number, string> = { 1: 'CRITICAL', 5: 'WARNING' };

type ScoredObject = {
  type_meta: { kind: string };
  object_meta: { name: string };
  checks: {
    check: { id: string };
    grade: number;
    skipped: boolean;
    comments: { path: string; summary: string }[] | null;
  }[];
};

/**
 * Scores rendered manifests (a multi-document YAML stream, e.g. `helm template`
 * output) with the configured flags; returns every CRITICAL and WARNING
 * finding, empty when the manifests pass. @public
 */
export async function kubeScore(
  manifests: string,
): Promise<KubeScoreFinding[]> {
  const r = await exec(
    await requireKubeScore(),
    [
      'score',
      '--output-format=json',
      `--kubernetes-version=${kubernetesVersion()}`,
      ...kubeScoreConfigArgs(),
      '-',
    ],
    { input: manifests },
  );
  // exit 1 means "has critical findings"; anything unreadable is an error
  let scored: ScoredObject[];
  try {
    scored = JSON.parse(r.stdout) ?? [];
  } catch {
    throw new Error(`kube-score exited ${r.code}:\n${r.stderr}${r.stdout}`);
  }
  return scored
    .flatMap(o =>
      o.checks
        .filter(c => !c.skipped && GRADE_NAMES[c.grade])
        .flatMap(c =>
          (c.comments?.length ? c.comments : [{ path: '', summary: '' }]).map(
            m =>
              `[${GRADE_NAMES[c.grade]}] ${o.type_meta.kind}/${
                o.object_meta.name
              } ${c.check.id}: ${m.path ? `(${m.path}) ` : ''}${m.summary}`,
          ),
        ),
    )
    .sort();
}
