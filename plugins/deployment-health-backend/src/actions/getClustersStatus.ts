import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { DeploymentHealthService } from '../DeploymentHealthService';
import { healthSchemas } from './schemas';

/**
 * `deployment-health:get-clusters-status`: what GET /clusters answers, for an
 * agent, behind the same permissions (deployment-health.clusters.read, and
 * deployment-health.nodes.read for the node details). The
 * state of each cluster's watch cache, read from memory: no request to any
 * cluster.
 */
export function registerGetClustersStatusAction(options: {
  actionsRegistry: ActionsRegistryService;
  health: DeploymentHealthService;
}) {
  const { actionsRegistry, health } = options;
  actionsRegistry.register({
    name: 'get-clusters-status',
    title: 'Get the status of the Kubernetes clusters',
    description: `Status of each Kubernetes cluster the portal watches for deployment health: environment, whether its cache is synced (ok, syncing, error with the error type and a safe message), when it was last confirmed current, whether that is stale, and cached object counts by kind, and its health from its nodes (status, nodes ready of total, reasons; node names, versions and capacity only for callers with deployment-health.nodes.read, else nodeDetailsRestricted); "preparing" while announced clusters are still being set up.
Answered from memory (no request to the clusters).`,
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z => z.object({}),
      output: z => healthSchemas(z).clustersResponse,
    },
    action: async ({ credentials }) => ({
      output: await health.getClusters(credentials),
    }),
  });
}
