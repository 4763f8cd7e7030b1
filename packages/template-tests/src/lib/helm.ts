/*
 * Running helm for the template tests: $SHIPYARD_HELM when set, else what the
 * scaffolder module's resolver finds (PATH, then the build cache that
 * `scripts/cluster build` fills).
 */
import os from 'node:os';
import path from 'node:path';
import {
  resolveHelmBinary,
  runProgram,
} from '@shipyard-platform/backstage-plugin-scaffolder-backend-module-shipyard';

/** The helm binary; throws a message that says how to get one. */
export function requireHelm(): Promise<string> {
  return resolveHelmBinary(process.env.SHIPYARD_HELM || undefined);
}

/** Runs helm; throws with its output when it fails. */
export async function helm(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const r = await runProgram(await requireHelm(), args, {
    cwd: opts.cwd,
    env: {
      ...process.env,
      HELM_CACHE_HOME: path.join(os.tmpdir(), 'shipyard-helm-cache'),
      ...opts.env,
    },
  });
  if (r.code !== 0) {
    throw new Error(`helm ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  }
  return r;
}
