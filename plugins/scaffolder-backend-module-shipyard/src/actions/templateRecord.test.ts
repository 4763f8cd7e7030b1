import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import {
  createShipyardTemplateRecordAction,
  recordableAnswers,
} from './templateRecord';
import { examples } from './templateRecord.examples';

describe('shipyard:template:record', () => {
  let workspacePath = '';
  beforeEach(() => {
    workspacePath = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-record-'));
  });
  afterEach(() => fs.rmSync(workspacePath, { recursive: true, force: true }));

  const run = async (
    answers: Record<string, unknown>,
    metadata: Record<string, any> = {
      name: 'node-service',
      annotations: { 'shipyard.dev/template-version': '1.2.3' },
    },
  ) => {
    const ctx = createMockActionContext({
      // the form's answers are JSON; the mock's input type says so, a Record does not
      input: { answers } as any,
      workspacePath,
      templateInfo: {
        entityRef: 'template:default/dry-run',
        entity: { metadata },
      } as any,
    });
    await createShipyardTemplateRecordAction().handler(ctx as any);
    return ctx.output as jest.Mock;
  };
  const recordFile = () => path.join(workspacePath, '.shipyard/template.yaml');

  it('runs its example: records template, version and sorted answers, and outputs ref and version', async () => {
    const step = yaml.parse(examples[0].example).steps[0];
    expect(step.action).toBe('shipyard:template:record');
    const output = await run({
      name: 'orders',
      environments: ['dev'],
      port: 8080,
    });
    const text = fs.readFileSync(recordFile(), 'utf8');
    expect(text).toMatch(/^# Written by the template/);
    expect(yaml.parse(text)).toEqual({
      template: 'template:default/node-service',
      version: '1.2.3',
      answers: { environments: ['dev'], name: 'orders', port: 8080 },
    });
    expect(Object.keys(yaml.parse(text).answers)).toEqual([
      'environments',
      'name',
      'port',
    ]);
    expect(output).toHaveBeenCalledWith(
      'templateRef',
      'template:default/node-service',
    );
    expect(output).toHaveBeenCalledWith('version', '1.2.3');
    expect(fs.readdirSync(path.dirname(recordFile()))).toEqual([
      'template.yaml',
    ]);
  });

  it('never records a secret-like answer, nested ones included, and names what it left out', async () => {
    await run({
      name: 'orders',
      apiToken: 'tok-123',
      dbPassword: 'pw-123',
      github: { accessKey: 'ak-123', org: 'example' },
      clientSecret: 'cs-123',
      signing_private_key: 'pk-123',
    });
    const text = fs.readFileSync(recordFile(), 'utf8');
    for (const secret of ['tok-123', 'pw-123', 'ak-123', 'cs-123', 'pk-123'])
      expect(text).not.toContain(secret);
    expect(yaml.parse(text).answers).toEqual({
      name: 'orders',
      github: { org: 'example' },
    });
    expect(yaml.parse(text).excluded).toEqual([
      'apiToken',
      'clientSecret',
      'dbPassword',
      'github.accessKey',
      'signing_private_key',
    ]);
  });

  it('keeps answers whose names only look alike (owner, description, keyboard)', () => {
    expect(
      recordableAnswers({ owner: 'a', description: 'b', keyboard: 'c' }),
    ).toEqual({
      answers: { description: 'b', keyboard: 'c', owner: 'a' },
      excluded: [],
    });
  });

  it.each([
    [{}, 'null'],
    [{ 'shipyard.dev/template-version': 'v1' }, '"v1"'],
  ])(
    'refuses a template without a valid version (%j), naming the template and the annotation, and writes nothing',
    async (annotations, got) => {
      await expect(
        run({ name: 'orders' }, { name: 'python-service', annotations }),
      ).rejects.toThrow(
        `shipyard:template:record: template python-service has no valid metadata.annotations['shipyard.dev/template-version']: it must be MAJOR.MINOR.PATCH such as 1.0.0, got ${got}`,
      );
      expect(fs.readdirSync(workspacePath)).toEqual([]);
    },
  );

  it('records the namespace of a template outside default', async () => {
    const output = await run(
      { name: 'x' },
      {
        name: 't',
        namespace: 'platform',
        annotations: { 'shipyard.dev/template-version': '0.1.0' },
      },
    );
    expect(output).toHaveBeenCalledWith('templateRef', 'template:platform/t');
  });
});
