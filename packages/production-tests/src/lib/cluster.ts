import path from 'node:path';
import { REPO_ROOT, run, runOk, RunResult } from './repo';

const CLUSTER = path.join(REPO_ROOT, 'scripts', 'cluster');

export interface ClusterEnv {
  name: string;
  server: string;
  kubeconfig: string;
  caFile: string;
  tokenFile: string;
  environment: string;
}

/**
 * Starts (or reuses) a local cluster with scripts/cluster and returns its
 * connection facts. Never builds the Go toolchain inside a test
 * (SHIPYARD_NO_BUILD=1): `scripts/cluster build` (run by scripts/test) does that.
 */
export async function clusterUp(name: string): Promise<ClusterEnv> {
  const timeout = Number(process.env.SHIPYARD_CLUSTER_UP_TIMEOUT_MS ?? 300_000);
  const up = await run(CLUSTER, ['up', name], {
    timeout,
    env: { ...process.env, SHIPYARD_NO_BUILD: '1' },
  });
  if (up.code !== 0) {
    throw new Error(
      `local cluster '${name}' could not start ('scripts/cluster up ${name}' exited ${up.code}); ` +
        `build the toolchain first with 'scripts/cluster build' (docs/cluster.md).\n` +
        `${(up.stderr + up.stdout).split('\n').slice(-20).join('\n')}`,
    );
  }
  const env = await runOk(CLUSTER, ['env', name, '--json']);
  return JSON.parse(env.stdout);
}

export function kubectl(
  name: string,
  args: string[],
  input?: string,
): Promise<RunResult> {
  return run(CLUSTER, ['kubectl', name, ...args], { timeout: 120_000, input });
}

export function helm(name: string, args: string[]): Promise<RunResult> {
  return run(CLUSTER, ['helm', name, ...args], { timeout: 600_000 });
}

export async function kubectlJson(name: string, args: string[]): Promise<any> {
  const r = await kubectl(name, [...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
