import { constants as fsConstants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunResult, runProgram } from './run';

/** Config key that sets the helm executable. */
export const HELM_PATH_CONFIG_KEY = 'shipyard.helm.path';

/** Raised when no usable helm binary is found. @public */
export class HelmNotFoundError extends Error {
  /** Always `HelmNotFoundError`. */
  name = 'HelmNotFoundError';
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    const st = await fs.stat(p);
    if (!st.isFile()) return false;
    await fs.access(p, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Newest first, comparing the numbers in the names (`helm-v3.16.2`). */
function byVersionDesc(a: string, b: string): number {
  const numbers = (s: string) => (s.match(/\d+/g) ?? []).map(Number);
  const [x, y] = [numbers(a), numbers(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (y[i] ?? 0) - (x[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** The cache `scripts/cluster build` builds helm into (the rule of scripts/toolchain.sh). */
function toolsDir(): string {
  const cache =
    process.env.SHIPYARD_CACHE || path.join(os.homedir(), '.cache', 'shipyard');
  return path.join(cache, 'go-tools');
}

/**
 * Finds the helm executable: `configured` when set (it must exist), otherwise
 * `helm` on PATH, otherwise the newest
 * `${SHIPYARD_CACHE:-~/.cache/shipyard}/go-tools/helm-v*\/helm` built by
 * `scripts/cluster build`.
 *
 * @param configured - the configured helm path (`shipyard.helm.path`), if any
 * @public
 */
export async function resolveHelmBinary(configured?: string): Promise<string> {
  if (configured) {
    if (await isExecutable(configured)) return configured;
    throw new HelmNotFoundError(
      `helm binary not found at "${configured}" (config key ${HELM_PATH_CONFIG_KEY}); install helm v3 or fix ${HELM_PATH_CONFIG_KEY} in app-config.yaml`,
    );
  }
  const onPath = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map(dir => path.join(dir, 'helm'));
  const tools = toolsDir();
  const cached = (await fs.readdir(tools).catch(() => [] as string[]))
    .filter(d => d.startsWith('helm-'))
    .sort(byVersionDesc)
    .map(d => path.join(tools, d, 'helm'));
  for (const candidate of [...onPath, ...cached]) {
    if (await isExecutable(candidate)) return candidate;
  }
  throw new HelmNotFoundError(
    `helm binary not found: set ${HELM_PATH_CONFIG_KEY} in app-config.yaml to the helm v3 executable, put helm on PATH, or build it into ${tools} with scripts/cluster build`,
  );
}

/**
 * Runs helm with an argument vector (no shell). Never throws on a non-zero
 * exit: look at `code`. The environment is reduced to what helm needs, so the
 * backend's own secrets are not passed on.
 */
export function runHelm(
  helm: string,
  args: string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    signal?: AbortSignal;
    timeoutMs?: number;
  } = {},
): Promise<RunResult> {
  return runProgram(helm, args, {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? os.tmpdir(),
      ...options.env,
    },
    cwd: options.cwd,
    signal: options.signal,
    timeout: options.timeoutMs,
  });
}
