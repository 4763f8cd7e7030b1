import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { DeploymentHealthService } from '../DeploymentHealthService';
import { registerGetClustersStatusAction } from './getClustersStatus';
import { registerGetEntityHealthAction } from './getEntityHealth';
import { registerGetTeamHealthAction } from './getTeamHealth';

/**
 * The plugin's read-only actions for agents (served over MCP by
 * @backstage/plugin-mcp-actions-backend when `backend.actions.pluginSources`
 * lists deployment-health).
 */
export function registerHealthActions(options: {
  actionsRegistry: ActionsRegistryService;
  health: DeploymentHealthService;
}) {
  registerGetEntityHealthAction(options);
  registerGetTeamHealthAction(options);
  registerGetClustersStatusAction(options);
}
