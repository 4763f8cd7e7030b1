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

/** Starts (or reuses) a local cluster with scripts/cluster and returns its connection facts. */
export async function clusterUp(name: string): Promise<ClusterEnv> {
  await runOk(CLUSTER, ['up', name], { timeout: 900_000 });
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

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 120_000,
  everyMs = 1000,
): Promise<T> {
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${
          last ? `: ${last}` : ''
        }`,
      );
    }
    await new Promise(r => setTimeout(r, everyMs));
  }
}
