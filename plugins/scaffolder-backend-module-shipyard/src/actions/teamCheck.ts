import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { DEFAULT_TENANCY_RULES } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { ShipyardModuleConfig } from '../config';
import { assertMayActForTeam, parseTeam } from '../lib/teamAccess';
import { examples } from './teamCheck.examples';

/**
 * `shipyard:team:check`: refuses the task unless the signed-in user may act
 * for the team. Templates run it first, so nothing (a repository, a catalog
 * entity, a namespace) is created for a team the user does not belong to:
 * publishing and registering are upstream actions that never look at the
 * owner.
 *
 * @public
 */
export function createShipyardTeamCheckAction(options: {
  /** The catalog, read with the task initiator's credentials for the team and the user's groups. */
  catalog: CatalogService;
  /** `tenancy` sets who may act for which team; the defaults of `DEFAULT_TENANCY_RULES` when unset. */
  config?: ShipyardModuleConfig;
}) {
  const rules = options.config?.tenancy ?? DEFAULT_TENANCY_RULES;
  return createTemplateAction({
    id: 'shipyard:team:check',
    description:
      'Refuses the task unless the signed-in user may act for the team: a member of the catalog group (parent groups included) or of shipyard.tenancy.platformGroups. Reads the catalog only; the same in dry run.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        team: z =>
          z
            .string()
            .describe(
              "Team: a group name (team-a) or group entity ref (group:default/team-a), e.g. the form's owner.",
            ),
      },
      output: {
        teamRef: z =>
          z.string().describe('The team as a full group entity ref'),
      },
    },
    async handler(ctx) {
      const { ref } = parseTeam(ctx.input.team);
      const teamRef = await assertMayActForTeam({
        user: ctx.user,
        team: ref,
        catalog: options.catalog,
        credentials: await ctx.getInitiatorCredentials(),
        rules,
      });
      ctx.output('teamRef', teamRef);
    },
  });
}
