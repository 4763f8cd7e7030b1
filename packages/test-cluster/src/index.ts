/**
 * Integration tests against the local Kubernetes control plane of
 * `scripts/cluster` (a real etcd + kube-apiserver + controllers, with kwok
 * nodes). They run when SHIPYARD_INTEGRATION=1 (describeIntegration of
 * @shipyard-platform/deployment-health-test-utils).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export { readsServed } from './apiServerReads.mjs';
export { startTestDatabase } from './database';
export type { TestDatabase } from './database';

const run = promisify(execFile);

/** What `scripts/cluster env NAME --json` reports, plus helpers bound to the cluster. */
export interface TestCluster {
  name: string;
  /** API server URL, e.g. https://127.0.0.1:26443 */
  server: string;
  /** Admin kubeconfig (tests only; the backend uses the reader token). */
  kubeconfig: string;
  caFile: string;
  /** Base64 PEM of the cluster CA. */
  caData: string;
  /** File with the read-only ServiceAccount token. */
  tokenFile: string;
  /** File with the deployer ServiceAccount token (namespaces, Helm releases). */
  deployerTokenFile: string;
  /** The read-only ServiceAccount token itself. */
  readerToken: string;
  /** The deployer ServiceAccount token itself. */
  deployerToken: string;
  /** Environment label, e.g. development or production. */
  environment: string;
  /** Runs the repository's pinned kubectl against this cluster as admin. */
  kubectl(...args: string[]): Promise<string>;
  /** Runs the repository's pinned helm against this cluster as admin. */
  helm(...args: string[]): Promise<string>;
  /** `kubectl apply` of a manifest (e.g. a List) as admin. */
  apply(manifest: object): Promise<string>;
  /**
   * A new token of the read-only ServiceAccount (`kubectl create token`), for
   * `audience`, or bound to a new Secret `boundToSecret` next to the reader:
   * deleting that Secret revokes the token in the API server.
   */
  createReaderToken(options: {
    audience?: string;
    boundToSecret?: string;
  }): Promise<string>;
  /**
   * `scripts/cluster fail`: the Deployment's new pods simulate `mode`
   * (crashloop, oomkilled, imagepull, unready; `none` rolls back to healthy).
   */
  fail(namespace: string, deployment: string, mode: string): Promise<string>;
}

/** The repository root, found from this file so tests can run from any package. */
// eslint-disable-next-line no-restricted-syntax -- test helper, never bundled
export const repoRoot = path.resolve(__dirname, '../../..');
const clusterScript = path.join(repoRoot, 'scripts', 'cluster');

/** How long `scripts/cluster up` may take: a cached start is ~20 s, a cold build much longer. */
const UP_TIMEOUT_MS = Number(
  process.env.SHIPYARD_CLUSTER_UP_TIMEOUT_MS ?? 300_000,
);

/**
 * Starts the named cluster (or reuses it when it already runs) and returns its
 * connection details. Fails with a message that says what to do when the
 * toolchain is missing or the start times out.
 */
export async function startTestCluster(name = 'dev'): Promise<TestCluster> {
  try {
    await run(clusterScript, ['up', name], {
      timeout: UP_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
      // Never build the Go toolchain inside a test: `scripts/cluster build`
      // (run by scripts/test before jest) does that with progress output.
      env: { ...process.env, SHIPYARD_NO_BUILD: '1' },
    });
  } catch (error: any) {
    const output = `${error.stderr ?? ''}${error.stdout ?? ''}`.trim();
    const cause = error.killed
      ? `did not finish within ${UP_TIMEOUT_MS / 1000}s`
      : `failed (exit ${error.code})`;
    const tail = output.split('\n').slice(-20).join('\n');
    throw new Error(
      `Local Kubernetes cluster '${name}' could not start: 'scripts/cluster up ${name}' ${cause}. ` +
        `Build the toolchain first with 'scripts/cluster build' (see docs/cluster.md).\n${tail}`,
    );
  }
  const { stdout } = await run(clusterScript, ['env', name, '--json']);
  const env = JSON.parse(stdout);
  const bound =
    (command: string) =>
    async (...args: string[]) =>
      (
        await run(clusterScript, [command, name, ...args], {
          maxBuffer: 64 * 1024 * 1024,
        })
      ).stdout;
  const kubectl = bound('kubectl');
  return {
    ...env,
    readerToken: readFileSync(env.tokenFile, 'utf8').trim(),
    deployerToken: readFileSync(env.deployerTokenFile, 'utf8').trim(),
    kubectl,
    helm: bound('helm'),
    fail: bound('fail'),
    async createReaderToken({ audience, boundToSecret }) {
      const namespace = ['-n', 'shipyard-system'];
      if (boundToSecret) {
        await kubectl(
          'create',
          'secret',
          'generic',
          boundToSecret,
          ...namespace,
        );
      }
      const token = await kubectl(
        'create',
        'token',
        'shipyard-health-reader',
        ...namespace,
        ...(audience ? [`--audience=${audience}`] : []),
        ...(boundToSecret
          ? [
              '--bound-object-kind=Secret',
              `--bound-object-name=${boundToSecret}`,
            ]
          : []),
      );
      return token.trim();
    },
    async apply(manifest) {
      const dir = mkdtempSync(path.join(os.tmpdir(), `apply-${name}-`));
      try {
        const file = path.join(dir, 'manifest.json');
        writeFileSync(file, JSON.stringify(manifest));
        return await kubectl('apply', '-f', file);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Stops a cluster a test started for itself and deletes its state. Always by
 * name: a bare `scripts/cluster down` would stop the clusters of other tests.
 */
export async function stopTestCluster(name: string): Promise<void> {
  await run(clusterScript, ['down', name], { timeout: 300_000 });
}
