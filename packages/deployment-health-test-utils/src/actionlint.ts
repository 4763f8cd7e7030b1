/**
 * The real actionlint (github.com/rhysd/actionlint) for the workflow tests:
 * the GitHub workflows the golden-path templates generate (and the
 * repository's own, if it has any) must have no finding at all.
 *
 * actionlint is a test-only tool of the toolchain, like kube-score:
 * `scripts/cluster build actionlint` builds it from its Go module into the
 * version-keyed cache (or finds it there, or takes SHIPYARD_ACTIONLINT);
 * `scripts/start` never does.
 *
 * actionlint also checks `run:` scripts with shellcheck and Python `run:`
 * scripts with pyflakes when they are on PATH, and silently skips those
 * checks when they are not. Neither is part of the toolchain (neither is a Go
 * module), and this machine's image has neither, so here only actionlint's
 * own checks run (syntax, expressions and their types, runner labels, action
 * inputs, job needs, ...); a developer with shellcheck installed gets its
 * findings too.
 */
import { exec, requireTestTool } from './testTools';

/** How long building actionlint may take when it is not cached yet (~35 s on 2 cores with the other tools' Go caches, ~100 s with none). @public */
export const ACTIONLINT_BUILD_TIMEOUT_MS = 600_000;

/** One finding, as actionlint prints it: `path:line:col: message [rule]`. @public */
export type ActionlintFinding = string;

/**
 * The actionlint binary, built on first use (`scripts/cluster build
 * actionlint`). @public
 */
export function requireActionlint(): Promise<string> {
  return requireTestTool('actionlint', ACTIONLINT_BUILD_TIMEOUT_MS);
}

/** One entry of `actionlint -format '{{json .}}'`. */
type ActionlintError = {
  message: string;
  filepath: string;
  line: number;
  column: number;
  kind: string;
};

/**
 * Lints workflow files (paths relative to `cwd`, which the findings name);
 * returns every finding, empty when the workflows pass. @public
 */
export async function actionlint(
  cwd: string,
  workflows: string[],
): Promise<ActionlintFinding[]> {
  if (!workflows.length) throw new Error('actionlint: no workflow to check');
  const r = await exec(
    await requireActionlint(),
    ['-no-color', '-format', '{{json .}}', ...workflows],
    { cwd },
  );
  // exit 0: no finding, 1: findings (both print a JSON array); 2 (bad
  // flags) and 3 (e.g. an unreadable file) are errors
  let errors: ActionlintError[];
  try {
    if (r.code !== 0 && r.code !== 1) throw new Error();
    errors = JSON.parse(r.stdout || '[]') ?? [];
  } catch {
    throw new Error(`actionlint exited ${r.code}:\n${r.stderr}${r.stdout}`);
  }
  return errors.map(
    e => `${e.filepath}:${e.line}:${e.column}: ${e.message} [${e.kind}]`,
  );
}
