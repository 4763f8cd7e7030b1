import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createShipyardValidateAction } from '../actions/validate';
import { resolveHelmBinary, runHelm } from '../lib/helm';
import { validateDirectory } from './validateDirectory';

const GOOD = path.resolve(__dirname, '../__fixtures__/good-service');

// helm renders the chart for every values file; a guard against a hang on a loaded machine
jest.setTimeout(60_000);

/** helm follows symbolic links when it loads a chart: a link out of the chart is an error, and the chart is not rendered. */
describe('chart symbolic links (helm.symlink)', () => {
  let tmp: string;
  let workspace: string;
  let helm: string | undefined;
  beforeAll(async () => {
    helm = await resolveHelmBinary().catch(() => undefined);
  });
  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'shipyard-chartlinks-'));
    workspace = path.join(tmp, 'workspace');
    await fs.cp(GOOD, workspace, { recursive: true });
    // what a link out of the chart would leak into the rendered manifest
    await fs.writeFile(
      path.join(tmp, 'outside.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leaked\ndata:\n  secret: hunter2\n',
    );
  });
  afterEach(() => fs.rm(tmp, { recursive: true, force: true }));

  const symlinkFindings = async (options: { helm?: string } = {}) =>
    (await validateDirectory(workspace, options)).findings.filter(
      f => f.rule === 'helm.symlink',
    );

  it.each([
    [
      'an absolute link',
      path.join('/', 'etc', 'passwd'),
      'chart/templates/passwd.yaml',
    ],
    [
      'a relative link that climbs out',
      '../../../outside.yaml',
      'chart/templates/leak.yaml',
    ],
  ])('refuses %s, naming the file', async (_what, target, file) => {
    const link = path.join(workspace, file);
    await fs.symlink(target, link);
    expect(await symlinkFindings()).toEqual([
      {
        rule: 'helm.symlink',
        file,
        severity: 'error',
        message: expect.stringMatching(
          /^symbolic link to .* points outside the chart: helm follows links/,
        ),
      },
    ]);
  });

  it('refuses a link that leaves through another link in the chart', async () => {
    await fs.symlink('.', path.join(workspace, 'chart/here'));
    await fs.symlink(
      'here/../outside-chart.yaml',
      path.join(workspace, 'chart/values-x.yaml'),
    );
    await fs.writeFile(path.join(workspace, 'outside-chart.yaml'), 'a: 1\n');
    expect(await symlinkFindings()).toEqual([
      expect.objectContaining({
        file: 'chart/values-x.yaml',
        message: expect.stringContaining(
          'resolves outside through other links',
        ),
      }),
    ]);
  });

  it('refuses a link from the chart into the rest of the workspace', async () => {
    await fs.symlink(
      '../../Dockerfile',
      path.join(workspace, 'chart/templates/Dockerfile'),
    );
    expect(await symlinkFindings()).toEqual([
      expect.objectContaining({ file: 'chart/templates/Dockerfile' }),
    ]);
  });

  it('accepts links within the chart', async () => {
    await fs.symlink(
      'values-dev.yaml',
      path.join(workspace, 'chart/values-local.yaml'),
    );
    await fs.symlink(
      path.join(workspace, 'chart/values.yaml'),
      path.join(workspace, 'chart/values-abs.yaml'),
    );
    expect(await symlinkFindings()).toEqual([]);
  });

  it('fails shipyard:validate without rendering the chart (real helm)', async () => {
    if (!helm) {
      // eslint-disable-next-line no-console
      console.warn('helm not found (scripts/cluster build): skipping');
      return;
    }
    await fs.symlink(
      '../../../outside.yaml',
      path.join(workspace, 'chart/templates/leak.yaml'),
    );
    // what the rule prevents: helm follows the link and renders the file
    const rendered = await runHelm(helm, [
      'template',
      'x',
      path.join(workspace, 'chart'),
      '--values',
      path.join(workspace, 'chart/values-dev.yaml'),
    ]);
    expect(rendered.stdout).toContain('hunter2');

    const ctx = createMockActionContext({
      input: {},
      workspacePath: workspace,
    });
    const err = await createShipyardValidateAction()
      .handler(ctx as any)
      .catch(e => e);
    expect(err.message).toMatch(
      /ERROR chart\/templates\/leak.yaml \[helm.symlink\] symbolic link to \.\.\/\.\.\/\.\.\/outside\.yaml points outside the chart/,
    );
    const report = (ctx.output as jest.Mock).mock.calls[0][1];
    expect(report.checked.charts).toEqual([
      { chart: 'chart', valuesFiles: [] },
    ]);
    expect(JSON.stringify(report)).not.toContain('hunter2');
    expect(
      report.findings.filter((f: any) => f.rule.startsWith('helm.render')),
    ).toEqual([]);
  });
});
