/*
 * Finding and running helm for the template tests.
 *
 * Resolution order (first match wins), the same as scripts/lib/k8s-toolchain.sh:
 *   1. $SHIPYARD_HELM (an explicit path)
 *   2. `helm` on PATH
 *   3. the version-keyed build cache: ${SHIPYARD_CACHE:-~/.cache/shipyard}/go-tools/helm-<ver>/helm
 *      (or .../bin/helm from `GOBIN=... go install`), newest version first
 * `scripts/cluster build` builds it into the cache.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function compareVersionsDesc(a: string, b: string): number {
  const parse = (s: string) => (s.match(/\d+/g) ?? []).map(Number);
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (y[i] ?? 0) - (x[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** Path of the helm binary, or undefined. */
export function findHelm(
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (env.SHIPYARD_HELM) {
    if (!isExecutable(env.SHIPYARD_HELM)) {
      throw new Error(
        `SHIPYARD_HELM=${env.SHIPYARD_HELM} is not an executable file`,
      );
    }
    return env.SHIPYARD_HELM;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'helm');
    if (isExecutable(candidate)) return candidate;
  }
  const cache =
    env.SHIPYARD_CACHE ??
    path.join(
      env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'),
      'shipyard',
    );
  const tools = path.join(cache, 'go-tools');
  const dirs = fs.existsSync(tools)
    ? fs
        .readdirSync(tools)
        .filter(d => d.startsWith('helm-'))
        .sort(compareVersionsDesc)
    : [];
  for (const d of dirs) {
    for (const candidate of [
      path.join(tools, d, 'helm'),
      path.join(tools, d, 'bin', 'helm'),
    ]) {
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Like {@link findHelm} but throws a message that says how to get helm. */
export function requireHelm(): string {
  const found = findHelm();
  if (!found) {
    throw new Error(
      'helm not found: set SHIPYARD_HELM to a helm v3 binary, put helm on PATH, or run ' +
        '`scripts/cluster build` (builds it into ${SHIPYARD_CACHE:-~/.cache/shipyard}/go-tools/helm-<version>/)',
    );
  }
  return found;
}

export async function helm(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  try {
    const { stdout, stderr } = await exec(requireHelm(), args, {
      cwd: opts.cwd,
      env: {
        ...process.env,
        HELM_CACHE_HOME: path.join(os.tmpdir(), 'shipyard-helm-cache'),
        ...opts.env,
      },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, stderr };
  } catch (e: any) {
    throw new Error(
      `helm ${args.join(' ')} failed:\n${e.stdout ?? ''}${
        e.stderr ?? e.message
      }`,
    );
  }
}
