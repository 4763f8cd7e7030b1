import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import { createShipyardValidateAction } from './validate';
import { examples } from './validate.examples';

const GOOD = path.resolve(__dirname, '../__fixtures__/good-service');

// Validation renders the chart with the real helm for every environment; on a
// loaded 2-core machine that has taken longer than jest's 5 s default. This is
// a guard against a hang, not a timing assertion.
jest.setTimeout(60_000);

describe('shipyard:validate', () => {
  let workspacePath: string;
  beforeEach(async () => {
    workspacePath = await fs.mkdtemp(path.join(os.tmpdir(), 'shipyard-ws-'));
  });
  afterEach(() => fs.rm(workspacePath, { recursive: true, force: true }));

  const action = createShipyardValidateAction();

  it.each(examples.map((e, i) => [i, e.description, e] as const))(
    'runs example %i: %s',
    async (_i, _d, example) => {
      const step = yaml.parse(example.example).steps[0];
      expect(step.action).toBe(action.id);
      await fs.cp(GOOD, path.join(workspacePath, step.input?.path ?? '.'), {
        recursive: true,
      });
      const ctx = createMockActionContext({
        input: step.input ?? {},
        workspacePath,
      });
      await action.handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith(
        'report',
        expect.objectContaining({ passed: true }),
      );
    },
  );

  it('fails with a readable summary and still outputs the report', async () => {
    await fs.cp(GOOD, workspacePath, { recursive: true });
    const dockerfile = path.join(workspacePath, 'Dockerfile');
    await fs.writeFile(
      dockerfile,
      (await fs.readFile(dockerfile, 'utf8')).replace('USER node', 'USER root'),
    );
    const ctx = createMockActionContext({ input: {}, workspacePath });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /Policy validation failed with 1 finding\(s\):\nERROR Dockerfile:17 \[dockerfile.user\]/,
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'report',
      expect.objectContaining({
        passed: false,
        summary: { errors: 1, warnings: 0, infos: 0 },
      }),
    );
  });

  it('works in dry run', async () => {
    await fs.cp(GOOD, workspacePath, { recursive: true });
    // createMockActionContext drops isDryRun: set it on the context
    const ctx = {
      ...createMockActionContext({ input: {}, workspacePath }),
      isDryRun: true,
    };
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith(
      'report',
      expect.objectContaining({ passed: true }),
    );
  });

  it('rejects path traversal naming the field', async () => {
    const ctx = createMockActionContext({
      input: { path: '../etc' },
      workspacePath,
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /Invalid path "\.\.\/etc"/,
    );
    const ctx2 = createMockActionContext({
      input: { path: 'missing' },
      workspacePath,
    });
    await expect(action.handler(ctx2 as any)).rejects.toThrow(
      /Invalid path "missing"/,
    );
  });

  it('names the config key when helm is missing', async () => {
    await fs.cp(GOOD, workspacePath, { recursive: true });
    const noHelm = createShipyardValidateAction({
      config: { helmPath: '/nonexistent/helm' },
    });
    const ctx = createMockActionContext({ input: {}, workspacePath });
    await expect(noHelm.handler(ctx as any)).rejects.toThrow(
      /shipyard\.helm\.path/,
    );
  });

  it('does not need helm without a chart', async () => {
    await fs.copyFile(
      path.join(GOOD, 'Dockerfile'),
      path.join(workspacePath, 'Dockerfile'),
    );
    const noHelm = createShipyardValidateAction({
      config: { helmPath: '/nonexistent/helm' },
    });
    const ctx = createMockActionContext({ input: {}, workspacePath });
    await noHelm.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith(
      'report',
      expect.objectContaining({ passed: true }),
    );
  });
});
