import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { readUserGroups } from './membership';

const user = (name: string, memberOf: string[], relations = true): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf },
  relations: relations
    ? memberOf.map(g => ({ type: 'memberOf', targetRef: `group:default/${g}` }))
    : [],
});
const group = (name: string, parent?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [], ...(parent ? { parent } : {}) },
  relations: parent
    ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
    : [],
});

const read = (entities: Entity[], ref: string) =>
  readUserGroups(
    ref,
    catalogServiceMock({ entities }),
    mockCredentials.service(),
  );

describe('readUserGroups', () => {
  it('gives the direct groups and every ancestor', async () => {
    const groups = await read(
      [
        user('mia', ['payments-oncall']),
        group('payments-oncall', 'team-payments'),
        group('team-payments', 'engineering'),
        group('engineering'),
        group('team-storefront', 'engineering'),
      ],
      'user:default/mia',
    );
    expect(groups.sort()).toEqual([
      'group:default/engineering',
      'group:default/payments-oncall',
      'group:default/team-payments',
    ]);
  });

  it('reads spec.memberOf and spec.parent of entities the catalog has not related yet', async () => {
    const orphan = group('payments-oncall');
    orphan.spec = { ...orphan.spec, parent: 'team-payments' };
    const groups = await read(
      [user('mia', ['payments-oncall'], false), orphan, group('team-payments')],
      'user:default/mia',
    );
    expect(groups.sort()).toEqual([
      'group:default/payments-oncall',
      'group:default/team-payments',
    ]);
  });

  it('ends on a cycle of parents, and gives no groups to a user the catalog does not know', async () => {
    const groups = await read(
      [
        user('lola', ['loop-a']),
        group('loop-a', 'loop-b'),
        group('loop-b', 'loop-a'),
      ],
      'user:default/lola',
    );
    expect(groups.sort()).toEqual([
      'group:default/loop-a',
      'group:default/loop-b',
    ]);
    expect(await read([], 'user:default/nobody')).toEqual([]);
  });
});
