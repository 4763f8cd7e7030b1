import { execFile } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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

function versionKey(dir: string): number[] {
  const m = /helm-v?(\d+)\.(\d+)\.(\d+)/.exec(dir);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
}

/**
 * Finds the helm executable: `shipyard.helm.path` from config when set (it must
 * exist), otherwise `helm` on PATH, otherwise the newest
 * `${SHIPYARD_CACHE:-~/.cache/shipyard}/go-tools/helm-v*\/helm` built by the
 * repository toolchain.
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
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && (await isExecutable(path.join(dir, 'helm')))) {
      return path.join(dir, 'helm');
    }
  }
  const cache =
    process.env.SHIPYARD_CACHE || path.join(os.homedir(), '.cache', 'shipyard');
  const toolsDir = path.join(cache, 'go-tools');
  const dirs = await fs.readdir(toolsDir).catch(() => [] as string[]);
  const candidates = dirs
    .filter(d => d.startsWith('helm-'))
    .sort((a, b) => {
      const va = versionKey(a);
      const vb = versionKey(b);
      return vb[0] - va[0] || vb[1] - va[1] || vb[2] - va[2];
    });
  for (const d of candidates) {
    const p = path.join(toolsDir, d, 'helm');
    if (await isExecutable(p)) return p;
  }
  throw new HelmNotFoundError(
    `helm binary not found: set ${HELM_PATH_CONFIG_KEY} in app-config.yaml to the helm v3 executable (or put helm on PATH)`,
  );
}

/** Result of a helm run. */
export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
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
): Promise<HelmResult> {
  const home = options.env?.HOME ?? process.env.HOME ?? os.tmpdir();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    ...(options.env ?? {}),
  };
  return new Promise(resolve => {
    execFile(
      helm,
      args,
      {
        env,
        cwd: options.cwd,
        signal: options.signal,
        timeout: options.timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        let code = 0;
        if (error)
          code =
            typeof (error as any).code === 'number' ? (error as any).code : 1;
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr) || (error && code !== 0 ? error.message : ''),
        });
      },
    );
  });
}
