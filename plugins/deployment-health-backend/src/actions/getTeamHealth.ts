import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import { DeploymentHealthService } from '../DeploymentHealthService';
import { parseRefInput } from './refInput';
import { healthSchemas } from './schemas';

/**
 * `deployment-health:get-team-health`: what GET /group/:namespace/:name
 * answers (the team view: per owned component its status, reasons, rollout
 * and pod counts; no pod or event lists), for an agent, with the caller's
 * credentials and permissions. From the watch cache; components with a
 * custom label selector take the team view's bounded number of on-demand
 * queries.
 */
export function registerGetTeamHealthAction(options: {
  actionsRegistry: ActionsRegistryService;
  health: DeploymentHealthService;
}) {
  const { actionsRegistry, health } = options;
  actionsRegistry.register({
    name: 'get-team-health',
    title: "Get deployment health of a team's services",
    description: `Deployment health of every Component a team (catalog Group) owns, across the Kubernetes clusters: per service its overall status with structured reasons, and per cluster its workloads' rollout and pod counts; plus the status of each cluster.
Answered from the portal's watch cache (no request to the clusters). Services the caller may not read are left out; services whose details the caller may not read are summaries (detailsRestricted: true).`,
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          groupRef: z
            .string()
            .describe(
              'Group reference, [group:][namespace/]name, e.g. group:default/team-payments (kind defaults to group, namespace to default)',
            ),
          includeChildren: z
            .boolean()
            .optional()
            .describe(
              "Also the services of the group's descendant groups (default false)",
            ),
        }),
      output: z => healthSchemas(z).groupHealthResponse,
    },
    examples: [
      {
        title: "Health of team-payments' services",
        input: { groupRef: 'group:default/team-payments' },
      },
    ],
    action: async ({ input, credentials }) => {
      const ref = parseRefInput('groupRef', input.groupRef, 'group');
      if (ref.kind.toLocaleLowerCase('en-US') !== 'group')
        throw new InputError(
          `groupRef "${input.groupRef}" is not a group reference`,
        );
      return {
        output: await health.getGroupHealth(
          ref,
          { includeChildren: input.includeChildren ?? false, details: false },
          credentials,
        ),
      };
    },
  });
}
