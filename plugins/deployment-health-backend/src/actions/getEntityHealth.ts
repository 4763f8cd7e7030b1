import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { DeploymentHealthService } from '../DeploymentHealthService';
import { parseRefInput } from './refInput';
import { healthSchemas } from './schemas';

/**
 * `deployment-health:get-entity-health`: what GET /entity/:namespace/:kind/:name
 * answers, for an agent. The same DeploymentHealthService call with the
 * caller's credentials, so the same permission decisions (details with
 * deployment-health.entity.read, the summary with the summary permission
 * only, NotAllowedError with neither) and the same source: the watch cache,
 * no Kubernetes request, except for an entity with a custom label selector,
 * which runs the bounded on-demand query the tab runs.
 */
export function registerGetEntityHealthAction(options: {
  actionsRegistry: ActionsRegistryService;
  health: DeploymentHealthService;
}) {
  const { actionsRegistry, health } = options;
  actionsRegistry.register({
    name: 'get-entity-health',
    title: 'Get deployment health of a service',
    description: `Deployment health of one catalog entity (usually a Component) in every Kubernetes cluster it runs in: overall status (Failed, Degraded, Progressing, Unknown, Healthy) with structured reasons, and per cluster its workloads, rollout, pods, recent Warning events and versions per environment.
Answered from the portal's watch cache (no request to the clusters). Callers who may read only the summary of the entity get it without pods, images and Kubernetes messages (detailsRestricted: true).`,
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .describe(
              'Entity reference, [kind:][namespace/]name, e.g. component:default/orders-api (kind defaults to component, namespace to default)',
            ),
        }),
      output: z => healthSchemas(z).entityHealthResponse,
    },
    examples: [
      {
        title: 'Health of the orders-api service',
        input: { entityRef: 'component:default/orders-api' },
      },
    ],
    action: async ({ input, credentials }) => {
      const ref = parseRefInput('entityRef', input.entityRef, 'component');
      return { output: await health.getEntityHealth(ref, credentials) };
    },
  });
}
