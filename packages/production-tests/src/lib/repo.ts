import { ExecFileOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  resolveHelmBinary,
  RunResult,
  runProgram,
} from '@shipyard-platform/backstage-plugin-scaffolder-backend-module-shipyard';

/** Repository root (this file is packages/production-tests/src/lib/repo.ts). */
// eslint-disable-next-line no-restricted-syntax
export const REPO_ROOT = path.resolve(__dirname, '../../../..');
export const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy');
export const CHART_DIR = path.join(DEPLOY_DIR, 'helm', 'shipyard');
export const ARTIFACTS_DIR = path.join(
  REPO_ROOT,
  'artifacts',
  'production-tests',
);
/**
 * The portal image's CMD (deploy/Dockerfile, run from packages/backend): the
 * chart's container args are these followed by its ConfigMap's config file.
 */
export const IMAGE_CMD = [
  'node',
  '.',
  '--config',
  '../../app-config.yaml',
  '--config',
  '../../app-config.production.yaml',
];

export function readRepoFile(rel: string): string {
  return fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8');
}

export type { RunResult };

/** Runs a program (no shell) in the repository root; never throws on a non-zero exit. */
export function run(
  file: string,
  args: string[],
  options: ExecFileOptions & { input?: string } = {},
): Promise<RunResult> {
  return runProgram(file, args, { cwd: REPO_ROOT, ...options });
}

/** Like run, but throws with stderr when the exit code is not 0. */
export async function runOk(
  file: string,
  args: string[],
  options: ExecFileOptions & { input?: string } = {},
) {
  const r = await run(file, args, options);
  if (r.code !== 0) {
    throw new Error(
      `${path.basename(file)} ${args.join(' ')} exited ${r.code}:\n${
        r.stderr
      }\n${r.stdout}`.slice(0, 8000),
    );
  }
  return r;
}

/** helm: SHIPYARD_HELM, else PATH, else the toolchain's cache (scripts/lib/k8s-toolchain.sh). */
export async function helmBinary(): Promise<string> {
  return resolveHelmBinary(process.env.SHIPYARD_HELM || undefined);
}
