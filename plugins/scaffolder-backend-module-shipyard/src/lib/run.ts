import { execFile, ExecFileOptions } from 'node:child_process';

/** Exit code and output of a program run. @public */
export interface RunResult {
  /** 0 on success; 1 when the program could not start or was killed. */
  code: number;
  /** What the program wrote to stdout. */
  stdout: string;
  /** What the program wrote to stderr, else why it could not run. */
  stderr: string;
}

/**
 * Runs a program with an argument vector (no shell) and never throws on a
 * non-zero exit: look at `code`. `input` is written to its stdin.
 *
 * @public
 */
export function runProgram(
  file: string,
  args: string[],
  options: ExecFileOptions & { input?: string } = {},
): Promise<RunResult> {
  const { input, ...execOptions } = options;
  return new Promise(resolve => {
    const child = execFile(
      file,
      args,
      { maxBuffer: 64 * 1024 * 1024, ...execOptions, encoding: 'utf8' },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) {
          const errno = (error as any).code;
          code = typeof errno === 'number' ? errno : 1;
        }
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr) || (error ? error.message : ''),
        });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
