/*
 * What a generated repository records about the template that made it, through the
 * real scaffolder engine with the real shipyard:template:record action:
 * .shipyard/template.yaml (template, version, answers, never a secret) and the
 * catalog-info.yaml annotations.
 */
import YAML from 'yaml';
import { CASES, TEMPLATES } from './lib/matrix';
import { loadTemplates, Scaffolder } from './lib/scaffolder';
import { templateVersion } from './lib/versions';

jest.setTimeout(120_000);

let scaffolder: Scaffolder;
beforeAll(async () => {
  scaffolder = await Scaffolder.start();
});
afterAll(async () => {
  await scaffolder?.dispose();
});

const sorted = (o: Record<string, unknown>) =>
  Object.fromEntries(
    Object.keys(o)
      .sort()
      .map(k => [k, o[k]]),
  );

describe.each(TEMPLATES)('%s', template => {
  const t = loadTemplates().get(template)!;
  const version = templateVersion(t.entity, t.file);

  it.each(CASES)(
    'records the template, its version and the answers exactly ($id)',
    async ({ values: valuesOf }) => {
      const values = valuesOf(template);
      const result = await scaffolder.dryRun(template, values);
      expect(result.status).toBe(200);
      const text = result.files
        .get('.shipyard/template.yaml')!
        .content.toString();
      expect(YAML.parse(text)).toEqual({
        template: `template:default/${template}`,
        version,
        answers: sorted(values),
      });
      // sorted: the same answers always give the same file
      expect(Object.keys(YAML.parse(text).answers)).toEqual(
        Object.keys(values).sort(),
      );

      const entity = YAML.parse(
        result.files.get('catalog-info.yaml')!.content.toString(),
      );
      expect(entity.metadata.annotations).toMatchObject({
        'backstage.io/source-template': `template:default/${template}`,
        'shipyard.dev/template-version': version,
      });
    },
  );

  it('never writes a secret-like answer into any generated file', async () => {
    const values = {
      ...CASES[0].values(template),
      apiToken: 'tok-9f8e7d6c5b4a',
      dbPassword: 'pw-9f8e7d6c5b4a',
      clientSecret: 'cs-9f8e7d6c5b4a',
    };
    const result = await scaffolder.dryRun(template, values);
    expect(result.status).toBe(200);
    for (const [file, f] of result.files)
      expect({
        file,
        leaked: f.content.toString().includes('9f8e7d6c5b4a'),
      }).toEqual({
        file,
        leaked: false,
      });
    const record = YAML.parse(
      result.files.get('.shipyard/template.yaml')!.content.toString(),
    );
    expect(record.excluded).toEqual(['apiToken', 'clientSecret', 'dbPassword']);
    expect(record.answers).toEqual(sorted(CASES[0].values(template)));
  });
});
