import {
  DEFAULT_TENANCY_RULES,
  isReservedNamespace,
  mayActForTeam,
  namespaceTeams,
  teamNamespaces,
  TenancyRules,
  toGroupRef,
} from './tenancy';

const rules: TenancyRules = {
  ...DEFAULT_TENANCY_RULES,
  platformGroups: ['group:default/team-platform'],
  teamNamespaces: { 'group:default/team-data': ['data', 'data-jobs'] },
};

describe('tenancy rules', () => {
  it('normalizes team names to group refs', () => {
    expect(toGroupRef('team-a')).toBe('group:default/team-a');
    expect(toGroupRef('group:ops/team-a')).toBe('group:ops/team-a');
  });

  it.each([
    [['group:default/team-payments'], 'team-payments', true],
    [['group:default/team-payments'], 'group:default/team-storefront', false],
    [['group:default/team-platform'], 'team-storefront', true],
    [[], 'team-payments', false],
  ])('user groups %j may act for %s: %s', (groups, team, allowed) => {
    expect(mayActForTeam(groups, team, rules)).toBe(allowed);
  });

  it('maps a team to its namespaces: configured, else its name', () => {
    expect(teamNamespaces('group:default/team-data', rules)).toEqual([
      'data',
      'data-jobs',
    ]);
    expect(teamNamespaces('team-payments', rules)).toEqual(['team-payments']);
  });

  it('maps a namespace back to the teams that own it', () => {
    expect(namespaceTeams('data-jobs', rules)).toEqual([
      'group:default/team-data',
    ]);
    expect(namespaceTeams('team-payments', rules)).toEqual([
      'group:default/team-payments',
    ]);
    // team-data is configured elsewhere: its name's namespace is not its own
    expect(namespaceTeams('team-data', rules)).toEqual([]);
    expect(namespaceTeams('kube-system', rules)).toEqual([]);
    expect(
      namespaceTeams('shared', {
        ...rules,
        teamNamespaces: {
          'group:default/team-b': ['shared'],
          'group:default/team-a': ['shared'],
        },
      }),
    ).toEqual(['group:default/team-a', 'group:default/team-b']);
  });

  it('applies the convention only to groups of the default namespace, never to a reserved name', () => {
    expect(teamNamespaces('group:other/team-payments', rules)).toEqual([]);
    expect(teamNamespaces('group:default/kube-system', rules)).toEqual([]);
    expect(
      teamNamespaces('group:default/monitoring', {
        ...rules,
        teamNamespaces: { 'group:default/monitoring': ['monitoring'] },
      }),
    ).toEqual(['monitoring']);
  });

  it.each([
    ['kube-system', true],
    ['kube-anything', true],
    ['openshift-ingress', true],
    ['ingress-nginx', true],
    ['monitoring', true],
    ['default', true],
    ['team-payments', false],
  ])('namespace %s is reserved: %s', (name, reserved) => {
    expect(isReservedNamespace(name, rules)).toBe(reserved);
  });
});
