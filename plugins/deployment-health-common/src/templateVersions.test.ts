import { Entity } from '@backstage/catalog-model';
import {
  compareTemplateVersions,
  parseTemplateVersion,
  templateDrift,
} from './templateVersions';

const template = (name: string, version?: string): Entity => ({
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: {
    name,
    annotations: version ? { 'shipyard.dev/template-version': version } : {},
  },
});
const service = (
  name: string,
  annotations: Record<string, string> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, annotations },
});
const from = (ref: string, version?: string) => ({
  'backstage.io/source-template': ref,
  ...(version ? { 'shipyard.dev/template-version': version } : {}),
});

describe('templateDrift', () => {
  const templates = [
    template('node-service', '2.3.1'),
    template('python-service'),
  ];

  it('says per service how far it is behind the newest template version', () => {
    expect(
      templateDrift(
        [
          service('a', from('template:default/node-service', '2.3.1')),
          service('b', from('template:default/node-service', '2.1.0')),
          service('c', from('template:node-service', '1.9.9')),
          service('d', from('template:default/node-service', '2.3.0')),
          service('e', from('template:default/node-service', '3.0.0')),
        ],
        templates,
      ),
    ).toEqual([
      {
        entityRef: 'component:default/a',
        templateRef: 'template:default/node-service',
        recorded: '2.3.1',
        newest: '2.3.1',
        status: 'current',
      },
      {
        entityRef: 'component:default/b',
        templateRef: 'template:default/node-service',
        recorded: '2.1.0',
        newest: '2.3.1',
        status: 'behind',
        behind: { by: 'minor', count: 2 },
      },
      {
        entityRef: 'component:default/c',
        templateRef: 'template:default/node-service',
        recorded: '1.9.9',
        newest: '2.3.1',
        status: 'behind',
        behind: { by: 'major', count: 1 },
      },
      {
        entityRef: 'component:default/d',
        templateRef: 'template:default/node-service',
        recorded: '2.3.0',
        newest: '2.3.1',
        status: 'behind',
        behind: { by: 'patch', count: 1 },
      },
      {
        entityRef: 'component:default/e',
        templateRef: 'template:default/node-service',
        recorded: '3.0.0',
        newest: '2.3.1',
        status: 'ahead',
      },
    ]);
  });

  it('tells a service without a template, with an unknown template and without versions apart', () => {
    expect(
      templateDrift(
        [
          service('plain'),
          service('gone', from('template:default/java-service', '1.0.0')),
          service('old', from('template:default/node-service')),
          service('tpl', from('template:default/python-service', '1.0.0')),
        ],
        templates,
      ).map(d => [d.entityRef, d.status]),
    ).toEqual([
      ['component:default/plain', 'not-from-template'],
      ['component:default/gone', 'unknown-template'],
      ['component:default/old', 'unversioned'],
      ['component:default/tpl', 'unversioned'],
    ]);
  });

  it('parses MAJOR.MINOR.PATCH only', () => {
    expect(parseTemplateVersion('10.0.3')).toEqual([10, 0, 3]);
    for (const bad of ['v1.0.0', '1.0', '01.0.0', '1.0.0-rc1', 1, undefined])
      expect(parseTemplateVersion(bad)).toBeUndefined();
  });

  it('orders versions by major, then minor, then patch, and refuses others', () => {
    expect(compareTemplateVersions('1.10.0', '1.9.9')).toBe(1);
    expect(compareTemplateVersions('1.9.9', '2.0.0')).toBe(-1);
    expect(compareTemplateVersions('1.0.1', '1.0.1')).toBe(0);
    expect(() => compareTemplateVersions('1.0.0', 'v2')).toThrow(
      'not a template version (MAJOR.MINOR.PATCH): "v2"',
    );
  });
});
