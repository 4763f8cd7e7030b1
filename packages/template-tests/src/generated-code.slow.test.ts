/* eslint-disable jest/no-conditional-expect -- the matrix asserts what each parameter set implies */
/*
 * Runs the generated services' own unit tests in the generated repositories:
 * `npm install && npm test && npm run build` (Node service, full-stack frontend) and
 * `pip install -r requirements-dev.txt && pytest` in a virtualenv (Python services).
 * Needs the npm registry / PyPI. Slow (~1-3 min), so only with SHIPYARD_SLOW=1:
 *
 *   SHIPYARD_SLOW=1 yarn workspace @shipyard-platform/template-tests test generated-code
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CASES, FormValues, TemplateName } from './lib/matrix';
import { Scaffolder, writeFiles } from './lib/scaffolder';

const exec = promisify(execFile);
const slow = process.env.SHIPYARD_SLOW === '1' ? describe : describe.skip;

jest.setTimeout(600_000);

async function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
) {
  try {
    return await exec(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e: any) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${
        e.stderr ?? e.message
      }`,
    );
  }
}

function python(): string {
  for (const p of [process.env.SHIPYARD_PYTHON, 'python3.12', 'python3']) {
    if (!p) continue;
    try {
      require('node:child_process').execFileSync(p, ['--version']);
      return p;
    } catch {
      /* next */
    }
  }
  throw new Error('python3 not found (set SHIPYARD_PYTHON)');
}

slow('generated services pass their own tests', () => {
  let scaffolder: Scaffolder;
  // the case with every optional dependency, so the conditional code is compiled and imported
  const full = CASES.find(c => c.id.startsWith('full'))!;
  const generate = async (
    t: TemplateName,
    overrides: Partial<FormValues> = {},
  ) => {
    const result = await scaffolder.dryRun(t, {
      ...full.values(t),
      ...overrides,
    });
    if (result.status !== 200)
      throw new Error(JSON.stringify(result.errors ?? result.error));
    return writeFiles(result.files);
  };

  beforeAll(async () => {
    scaffolder = await Scaffolder.start();
  });
  afterAll(async () => {
    await scaffolder?.dispose();
  });

  it.each([true, false])(
    'node-service (postgres+redis: %s): npm test and the TypeScript build',
    async deps => {
      const dir = await generate('node-service', {
        postgres: deps,
        redis: deps,
      });
      await run('npm', ['install', '--no-audit', '--no-fund'], dir);
      const { stdout } = await run('npm', ['test'], dir);
      expect(stdout).toMatch(/# fail 0/);
      await run('npm', ['run', 'build'], dir);
      expect(fs.existsSync(path.join(dir, 'dist/server.js'))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'dist/app.test.js'))).toBe(false);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  );

  it.each(['python-service', 'fullstack-service'] as const)(
    '%s: pytest in a virtualenv',
    async t => {
      const dir = await generate(t);
      await run(python(), ['-m', 'venv', '.venv'], dir);
      const pip = path.join(dir, '.venv/bin/pip');
      await run(pip, ['install', '--quiet', '-r', 'requirements-dev.txt'], dir);
      const { stdout } = await run(
        path.join(dir, '.venv/bin/python'),
        ['-m', 'pytest'],
        dir,
      );
      expect(stdout).toMatch(/\d+ passed/);
      expect(stdout).not.toMatch(/failed|error/i);
      if (t === 'fullstack-service') {
        const frontend = path.join(dir, 'frontend');
        await run('npm', ['install', '--no-audit', '--no-fund'], frontend);
        await run('npm', ['test'], frontend);
        await run('npm', ['run', 'build'], frontend);
        expect(fs.existsSync(path.join(frontend, 'dist/index.html'))).toBe(
          true,
        );
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  );
});
