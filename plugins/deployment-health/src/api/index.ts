export { deploymentHealthApiRef } from './DeploymentHealthApi';
export type { DeploymentHealthApi } from './DeploymentHealthApi';
export { DeploymentHealthClient } from './DeploymentHealthClient';
export type {
  DeploymentHealthDiscovery,
  DeploymentHealthFetch,
} from './DeploymentHealthClient';
