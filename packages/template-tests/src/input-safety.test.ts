/* eslint-disable jest/no-conditional-expect -- the matrix asserts what each parameter set implies */
/*
 * Bad input: every value is either rejected by the form schema (the scaffolder
 * validates parameters server-side exactly like the form does) with an error that
 * names the rule, or rendered safely: the generated YAML/JSON parses and keeps the
 * exact text.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { helm, requireHelm } from './lib/helm';
import { CASES, FormValues, TEMPLATES, TemplateName } from './lib/matrix';
import { Scaffolder, writeFiles } from './lib/scaffolder';

jest.setTimeout(180_000);

let scaffolder: Scaffolder;
beforeAll(async () => {
  await requireHelm();
  scaffolder = await Scaffolder.start();
});
afterAll(async () => {
  await scaffolder?.dispose();
});

const base = (t: TemplateName): FormValues => ({
  ...CASES[1].values(t),
  deploy: false,
});

/** Form values rejected, with the JSON-schema keyword that rejects them. */
const REJECTED: [string, Partial<FormValues>, string, string][] = [
  ['name with uppercase', { name: 'Payments' }, 'name', 'pattern'],
  ['name with underscore', { name: 'pay_ments' }, 'name', 'pattern'],
  ['name starting with -', { name: '-pay' }, 'name', 'pattern'],
  ['name ending with -', { name: 'pay-' }, 'name', 'pattern'],
  ['name starting with a digit', { name: '1pay' }, 'name', 'pattern'],
  ['name with unicode', { name: 'päy' }, 'name', 'pattern'],
  ['name with template syntax', { name: 'x${{ y }}' }, 'name', 'pattern'],
  ['name with a newline', { name: 'pay\nments' }, 'name', 'pattern'],
  ['one-character name', { name: 'a' }, 'name', 'minLength'],
  ['41-character name', { name: `a${'b'.repeat(40)}` }, 'name', 'maxLength'],
  ['reserved name default', { name: 'default' }, 'name', 'not'],
  ['reserved name kube-system', { name: 'kube-system' }, 'name', 'not'],
  ['reserved name backstage', { name: 'backstage' }, 'name', 'not'],
  ['empty description', { description: '' }, 'description', 'minLength'],
  [
    '281-character description',
    { description: 'd'.repeat(281) },
    'description',
    'maxLength',
  ],
  [
    'owner that is not a DNS label',
    { owner: 'group:default/Team_X' },
    'owner',
    'pattern',
  ],
  [
    'host with uppercase',
    { ingressHost: 'Pay.example.com' },
    'ingressHost',
    'pattern',
  ],
  [
    'host with a port',
    { ingressHost: 'pay.example.com:8080' },
    'ingressHost',
    'pattern',
  ],
  [
    'host as a URL',
    { ingressHost: 'https://pay.example.com' },
    'ingressHost',
    'pattern',
  ],
  [
    'host with a space',
    { ingressHost: 'pay example.com' },
    'ingressHost',
    'pattern',
  ],
  [
    'host with a trailing newline',
    { ingressHost: 'pay.example.com\n' },
    'ingressHost',
    'pattern',
  ],
  [
    'host in quotes',
    { ingressHost: '"pay.example.com"' },
    'ingressHost',
    'pattern',
  ],
  [
    'host with a wildcard',
    { ingressHost: '*.example.com' },
    'ingressHost',
    'pattern',
  ],
  [
    'host with an empty label',
    { ingressHost: 'pay..example.com' },
    'ingressHost',
    'pattern',
  ],
  [
    'host without a dot',
    { ingressHost: 'localhost' },
    'ingressHost',
    'pattern',
  ],
  [
    'host with template syntax',
    { ingressHost: '{{ .Values.x }}.example.com' },
    'ingressHost',
    'pattern',
  ],
  ['privileged port', { port: 80 }, 'port', 'minimum'],
  ['port above 65535', { port: 70000 }, 'port', 'maximum'],
  ['the metrics port', { port: 9464 }, 'port', 'not'],
  ['no environment', { environments: [] }, 'environments', 'minItems'],
  ['unknown environment', { environments: ['qa'] }, 'environments', 'enum'],
  [
    'duplicate environments',
    { environments: ['dev', 'dev'] },
    'environments',
    'uniqueItems',
  ],
  ['unknown size', { size: 'huge' as any }, 'size', 'enum'],
  ['zero replicas', { minReplicas: 0 }, 'minReplicas', 'minimum'],
  [
    'unknown publish target',
    { publishTo: 'gitlab' as any },
    'publishTo',
    'enum',
  ],
];

describe('the form rejects bad input, naming the rule', () => {
  it.each(REJECTED)('%s', async (_label, override, field, keyword) => {
    const result = await scaffolder.dryRun('node-service', {
      ...base('node-service'),
      ...override,
    });
    expect(result.status).toBe(400);
    const errors = (result.errors ?? []).filter(
      (e: any) =>
        e.path?.[0] === field ||
        e.property?.endsWith(`.${field}`) ||
        e.property?.includes(`.${field}[`),
    );
    expect(errors.map((e: any) => e.name)).toContain(keyword);
    // the message says what is wrong (pattern/length/limit/allowed values)
    const message = errors.map((e: any) => e.stack).join('; ');
    expect(message).toMatch(
      /pattern|length|greater|less|prohibited|enum|values|duplicate|items|not/i,
    );
  });

  it('GitHub publishing needs a repository URL', async () => {
    const result = await scaffolder.dryRun('node-service', {
      ...base('node-service'),
      publishTo: 'github',
      repoUrl: undefined,
    });
    expect(result.status).toBe(400);
  });
});

/** Free-text values that must be rendered verbatim (quoted) wherever they appear in YAML/JSON. */
const DESCRIPTIONS = [
  `He said "hi" and 'bye'`,
  'key: value: more, [flow], {map}',
  '# not a comment',
  'line one\nline two\n  indented\n',
  '{{ .Values.secret }} and {{- include "x" . }}',
  '${{ parameters.name }} ${{ secrets.GITHUB_TOKEN }} ${{ github.sha }}',
  '{% raw %}x{% endraw %} {# comment #} {% if true %}',
  'Ünïcødé — 日本語 🚀 café',
  '- item\n? key\n! tag & *alias | > % @ `',
  'backslash \\ and \\n literal',
  'null',
  'true',
  '~',
  '0x1F',
  '"',
  "'",
  '\ttab and \r carriage return',
  'zero\u200bwidth and line\u2028separator',
];

describe('free text is rendered safely and exactly', () => {
  it.each(DESCRIPTIONS.map(d => [JSON.stringify(d), d]))(
    'description %s',
    async (_label, description) => {
      for (const t of TEMPLATES) {
        const system = `system:default/sys-${t}`;
        const result = await scaffolder.dryRun(t, {
          ...base(t),
          description,
          system,
        });
        expect(result.status).toBe(200);
        const dir = writeFiles(result.files);
        try {
          const yaml = (p: string) => {
            const doc = YAML.parseDocument(
              fs.readFileSync(path.join(dir, p), 'utf8'),
            );
            expect({ file: p, errors: doc.errors.map(e => e.message) }).toEqual(
              { file: p, errors: [] },
            );
            return doc.toJS();
          };
          const entity = yaml('catalog-info.yaml');
          expect(entity.metadata.description).toBe(description);
          expect(entity.spec.system).toBe(system);
          expect(yaml('chart/Chart.yaml').description).toBe(description);
          expect(yaml('mkdocs.yml').site_description).toBe(description);
          for (const p of [
            'compose.yaml',
            '.github/workflows/ci.yaml',
            'chart/values.yaml',
          ])
            yaml(p);
          if (t === 'node-service') {
            expect(
              JSON.parse(
                fs.readFileSync(path.join(dir, 'package.json'), 'utf8'),
              ).description,
            ).toBe(description);
          }
          // the chart still lints and renders
          for (const command of [
            ['lint', '--strict'],
            ['template', 'x'],
          ]) {
            await helm([
              ...command,
              path.join(dir, 'chart'),
              '-f',
              path.join(dir, 'chart/values-prod.yaml'),
            ]);
          }
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }
    },
  );

  it('accepts internationalized (punycode) and deep hosts', async () => {
    for (const ingressHost of [
      'xn--bcher-kva.example.com',
      'a.b.c.example.io',
      '',
    ]) {
      const result = await scaffolder.dryRun('python-service', {
        ...base('python-service'),
        ingressHost,
      });
      expect(result.status).toBe(200);
    }
  });
});
