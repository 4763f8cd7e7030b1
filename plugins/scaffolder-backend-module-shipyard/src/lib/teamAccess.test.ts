import { mockCredentials } from '@backstage/backend-test-utils';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  DEFAULT_TENANCY_RULES,
  TenancyRules,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { readUserGroups } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { orgCatalog, orgUser } from '../__testUtils__/org';
import { assertMayActForTeam, assertNamespaceNotReserved } from './teamAccess';

const group = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name },
  spec: { type: 'team', children: [], ...spec },
});
const user = (name: string, memberOf: string[]) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name },
  spec: { memberOf },
});

/** Besides the example org: a sub-team of payments, a group listing its members itself, and a cycle. */
const EXTRA = [
  group('payments-oncall', { parent: 'team-payments' }),
  user('olga', ['payments-oncall']),
  group('team-ops', { parent: 'engineering', members: ['grace'] }),
  group('loop-a', { parent: 'loop-b' }),
  group('loop-b', { parent: 'loop-a' }),
  user('lola', ['loop-a']),
];

const PLATFORM: TenancyRules = {
  ...DEFAULT_TENANCY_RULES,
  platformGroups: ['group:default/team-platform'],
};

describe('assertMayActForTeam', () => {
  const credentials = mockCredentials.user();
  const check = async (
    who: { ref?: string; entity?: any } | undefined,
    team: string,
    rules = DEFAULT_TENANCY_RULES,
  ) =>
    assertMayActForTeam({
      user: who,
      team,
      catalog: await orgCatalog(EXTRA as any),
      credentials,
      rules,
    });

  it.each([
    ['ada', 'team-payments'],
    ['ada', 'group:team-payments'],
    ['ada', 'group:default/team-payments'],
    ['guest', 'team-payments'],
    ['grace', 'team-storefront'],
    ['margaret', 'team-storefront'],
    ['margaret', 'team-platform'],
  ])('lets %s act for their team %s', async (name, team) => {
    await expect(check(orgUser(name), team)).resolves.toBe(
      `group:default/${team.replace(/^.*[:/]/, '')}`,
    );
  });

  it('refuses grace for team-payments with the team and the rule', async () => {
    const refusal = check(orgUser('grace'), 'team-payments');
    await expect(refusal).rejects.toThrow(NotAllowedError);
    await expect(refusal).rejects.toThrow(
      'User user:default/grace may not act for team group:default/team-payments: not a member of it or of a platform group (shipyard.tenancy.platformGroups)',
    );
  });

  it('reads membership from the catalog, not from the entity on the task', async () => {
    const forged = {
      ref: 'user:default/grace',
      entity: user('grace', ['team-payments']),
    };
    await expect(check(forged, 'team-payments')).rejects.toThrow(
      NotAllowedError,
    );
  });

  it('counts parent groups: members of a team act for its parents, at any depth', async () => {
    await expect(check(orgUser('ada'), 'engineering')).resolves.toBe(
      'group:default/engineering',
    );
    // olga is in payments-oncall, a child of team-payments, a child of engineering
    await expect(check(orgUser('olga'), 'team-payments')).resolves.toBe(
      'group:default/team-payments',
    );
    await expect(check(orgUser('olga'), 'engineering')).resolves.toBe(
      'group:default/engineering',
    );
    // ...but not for sibling teams of their own
    await expect(check(orgUser('olga'), 'team-storefront')).rejects.toThrow(
      'User user:default/olga may not act for team group:default/team-storefront',
    );
    // and a parent's member does not act for its children
    await expect(check(orgUser('ada'), 'payments-oncall')).rejects.toThrow(
      NotAllowedError,
    );
  });

  it('counts membership a group declares (spec.members, hasMember/memberOf relations)', async () => {
    await expect(check(orgUser('grace'), 'team-ops')).resolves.toBe(
      'group:default/team-ops',
    );
  });

  it('ends the walk on a cycle of parent groups', async () => {
    const groups = await readUserGroups(
      'user:default/lola',
      await orgCatalog(EXTRA as any),
      credentials,
    );
    expect(groups.sort()).toEqual([
      'group:default/loop-a',
      'group:default/loop-b',
    ]);
  });

  it('lets a platform group member act for any team, only when configured', async () => {
    await expect(
      check(orgUser('linus'), 'team-storefront', PLATFORM),
    ).resolves.toBe('group:default/team-storefront');
    await expect(check(orgUser('linus'), 'team-storefront')).rejects.toThrow(
      'User user:default/linus may not act for team group:default/team-storefront: not a member of it or of a platform group (shipyard.tenancy.platformGroups)',
    );
    // platform rights do not make a missing group real
    await expect(
      check(orgUser('linus'), 'team-nope', PLATFORM),
    ).rejects.toThrow(InputError);
  });

  it('refuses a team that is no group in the catalog', async () => {
    const refusal = check(orgUser('ada'), 'team-nope');
    await expect(refusal).rejects.toThrow(InputError);
    await expect(refusal).rejects.toThrow(
      'Invalid team "team-nope": no group group:default/team-nope in the catalog',
    );
    // a user is not a team
    await expect(check(orgUser('ada'), 'user:default/ada')).rejects.toThrow(
      'Invalid team "user:default/ada": must name a Group',
    );
  });

  it('refuses a task without a signed-in user, and a user unknown to the catalog', async () => {
    await expect(check(undefined, 'team-payments')).rejects.toThrow(
      'Only a signed-in user may act for team group:default/team-payments',
    );
    await expect(check({}, 'team-payments')).rejects.toThrow(NotAllowedError);
    await expect(check(orgUser('nobody'), 'team-payments')).rejects.toThrow(
      'User user:default/nobody may not act for team group:default/team-payments',
    );
  });
});

describe('assertNamespaceNotReserved', () => {
  it.each(['kube-system', 'default', 'ingress-nginx', 'monitoring', 'kube-x'])(
    'refuses %s',
    name => {
      expect(() =>
        assertNamespaceNotReserved(name, DEFAULT_TENANCY_RULES),
      ).toThrow(
        new InputError(
          `Invalid namespace "${name}": reserved for the platform (shipyard.tenancy.reservedNamespaces)`,
        ),
      );
    },
  );

  it('refuses configured names and accepts team namespaces', () => {
    const rules = {
      ...DEFAULT_TENANCY_RULES,
      reservedNamespaces: [
        ...DEFAULT_TENANCY_RULES.reservedNamespaces,
        'vault',
      ],
    };
    expect(() => assertNamespaceNotReserved('vault', rules)).toThrow(
      'Invalid namespace "vault": reserved',
    );
    expect(() =>
      assertNamespaceNotReserved('team-payments', rules),
    ).not.toThrow();
  });
});
