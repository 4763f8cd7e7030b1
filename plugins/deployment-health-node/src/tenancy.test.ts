import { ConfigReader } from '@backstage/config';
import { readTenancyRules } from './tenancy';

describe('readTenancyRules', () => {
  it('has safe defaults without config', () => {
    const rules = readTenancyRules(new ConfigReader({}));
    expect(rules.platformGroups).toEqual([]);
    expect(rules.reservedNamespaces).toContain('kube-system');
    expect(rules.teamNamespaces).toEqual({});
  });

  it('reads platform groups, extra reserved names and the namespace mapping as full refs', () => {
    const rules = readTenancyRules(
      new ConfigReader({
        shipyard: {
          tenancy: {
            platformGroups: ['team-platform'],
            reservedNamespaces: ['vault'],
            teamNamespaces: [
              { team: 'team-data', namespaces: ['data', 'data-jobs'] },
            ],
          },
        },
      }),
    );
    expect(rules.platformGroups).toEqual(['group:default/team-platform']);
    expect(rules.reservedNamespaces).toEqual(
      expect.arrayContaining(['vault', 'ingress-nginx']),
    );
    expect(rules.teamNamespaces).toEqual({
      'group:default/team-data': ['data', 'data-jobs'],
    });
  });
});
