/**
 * The test-only tools of the toolchain (kube-score, actionlint): built from
 * their Go modules by `scripts/cluster build TOOL` into the version-keyed
 * cache on first use (or found there, or taken from SHIPYARD_<TOOL>);
 * `scripts/start` never builds them. One runner and one build-on-first-use
 * for every such helper.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

// eslint-disable-next-line no-restricted-syntax -- test helper, never bundled
export const repoRoot = path.resolve(__dirname, '../../..');

/** Runs a program; resolves with its exit code and output, never rejects. */
export function exec(
  file: string,
  args: string[],
  options: { input?: string; timeout?: number; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise(resolve => {
    const child = execFile(
      file,
      args,
      {
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeout,
        cwd: options.cwd,
      },
      (error: any, stdout, stderr) => {
        // a non-zero exit carries its code; a kill or spawn failure counts as 1
        let code = 0;
        if (error) code = typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

const built = new Map<string, Promise<string>>();

/**
 * The path of test-only tool `tool`, built on first use (`scripts/cluster
 * build TOOL`, which prints `  TOOL  <path>` last); one build per process.
 */
export function requireTestTool(
  tool: string,
  timeoutMs: number,
): Promise<string> {
  let binary = built.get(tool);
  if (!binary) {
    binary = exec(path.join(repoRoot, 'scripts', 'cluster'), ['build', tool], {
      timeout: timeoutMs,
    }).then(r => {
      const found = new RegExp(`^\\s*${tool}\\s+(\\S+)\\s*$`, 'm').exec(
        r.stdout,
      )?.[1];
      if (r.code !== 0 || !found)
        throw new Error(
          `'scripts/cluster build ${tool}' failed (exit ${r.code}); see docs/cluster.md:\n${r.stderr}${r.stdout}`,
        );
      return found;
    });
    built.set(tool, binary);
  }
  return binary;
}
