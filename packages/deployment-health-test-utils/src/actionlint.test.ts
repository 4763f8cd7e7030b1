import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  actionlint,
  ACTIONLINT_BUILD_TIMEOUT_MS,
  requireActionlint,
} from './actionlint';

// builds actionlint (test-only tool) on the first run; cached after
beforeAll(() => requireActionlint(), ACTIONLINT_BUILD_TIMEOUT_MS);

describe('actionlint', () => {
  let dir: string;
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'actionlint-test-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const job = (runsOn: string, run: string) =>
    `on: push\njobs:\n  build:\n    runs-on: ${runsOn}\n    steps:\n      - run: ${run}\n`;

  it('passes a valid workflow', async () => {
    write(
      '.github/workflows/ci.yaml',
      job('ubuntu-24.04', 'echo "$GITHUB_SHA"'),
    );
    expect(await actionlint(dir, ['.github/workflows/ci.yaml'])).toEqual([]);
  });

  it('reports an unknown runner label and an invalid expression as file:line:col: message [rule]', async () => {
    write(
      '.github/workflows/ci.yaml',
      job('ubuntu-lates', 'echo "${{ github.no_such_property }}"'),
    );
    const findings = await actionlint(dir, ['.github/workflows/ci.yaml']);
    expect(findings).toEqual([
      expect.stringMatching(
        /^\.github\/workflows\/ci\.yaml:4:14: label "ubuntu-lates" is unknown\..* \[runner-label\]$/,
      ),
      expect.stringMatching(
        /^\.github\/workflows\/ci\.yaml:6:\d+: property "no_such_property" is not defined .* \[expression\]$/,
      ),
    ]);
  });

  it('reports findings of every file it is given', async () => {
    write('a.yaml', job('ubuntu-24.04', 'echo ok'));
    write(
      'b.yaml',
      'on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    needs: [nope]\n    steps:\n      - run: echo\n',
    );
    expect(await actionlint(dir, ['a.yaml', 'b.yaml'])).toEqual([
      'b.yaml:3:3: job "x" needs job "nope" which does not exist in this workflow [job-needs]',
    ]);
  });

  it('fails on a file it cannot read instead of passing it', async () => {
    await expect(actionlint(dir, ['missing.yaml'])).rejects.toThrow(
      /actionlint exited 3:[\s\S]*missing\.yaml/,
    );
  });

  it('refuses an empty list (nothing checked is no pass)', async () => {
    await expect(actionlint(dir, [])).rejects.toThrow(/no workflow to check/);
  });
});
