import { execFile } from 'node:child_process';

/**
 * Runs git with an argument vector (no shell), isolated from the host's
 * system/global git config (signing, hooks, templates) so commits are
 * reproducible. Throws with git's stderr on failure.
 */
export function runGit(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LANG: 'C',
    ...(options.env ?? {}),
  };
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd: options.cwd, env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `git ${args[0]} failed: ${
                String(stderr).trim() || error.message
              }`,
            ),
          );
        } else {
          resolve(String(stdout).trim());
        }
      },
    );
  });
}
