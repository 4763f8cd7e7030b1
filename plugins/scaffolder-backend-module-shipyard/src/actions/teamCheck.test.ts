import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'yaml';
import { DEFAULT_TENANCY_RULES } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { orgCatalog, orgUser } from '../__testUtils__/org';
import { createShipyardTeamCheckAction } from './teamCheck';
import { examples } from './teamCheck.examples';

describe('shipyard:team:check', () => {
  let catalog: Awaited<ReturnType<typeof orgCatalog>>;
  beforeAll(async () => {
    catalog = await orgCatalog();
  });
  const action = () =>
    createShipyardTeamCheckAction({
      catalog,
      config: {
        tenancy: {
          ...DEFAULT_TENANCY_RULES,
          platformGroups: ['group:default/team-platform'],
        },
      },
    });
  const run = async (user: string, team: string, isDryRun = false) => {
    const ctx = {
      ...createMockActionContext({ input: { team }, user: orgUser(user) }),
      isDryRun,
    };
    await action().handler(ctx as any);
    return ctx.output as jest.Mock;
  };

  it('runs its example for a member of the team', async () => {
    const step = yaml.parse(examples[0].example).steps[0];
    expect(step.action).toBe('shipyard:team:check');
    const output = await run('ada', 'group:default/team-payments');
    expect(output).toHaveBeenCalledWith(
      'teamRef',
      'group:default/team-payments',
    );
  });

  it.each([false, true])(
    'refuses grace (team-storefront) for team-payments, dry run %s',
    async isDryRun => {
      await expect(run('grace', 'team-payments', isDryRun)).rejects.toThrow(
        'User user:default/grace may not act for team group:default/team-payments: not a member of it or of a platform group (shipyard.tenancy.platformGroups)',
      );
    },
  );

  it('lets a platform group member act for any team', async () => {
    const output = await run('linus', 'team-storefront');
    expect(output).toHaveBeenCalledWith(
      'teamRef',
      'group:default/team-storefront',
    );
  });

  it('refuses a team that is no group of the catalog, and a user as the team', async () => {
    await expect(run('ada', 'team-nobody')).rejects.toThrow(
      /no group group:default\/team-nobody in the catalog/,
    );
    await expect(run('ada', 'user:default/ada')).rejects.toThrow(
      /Invalid team "user:default\/ada"/,
    );
  });
});
