/**
 * Deployment health frontend: a service's "Deployments" tab, a summary card,
 * the team view (Group tab and page) and the Clusters page.
 *
 * Legacy frontend system exports live here; the new frontend system plugin
 * is the default export of `./alpha`.
 *
 * @packageDocumentation
 */
export {
  deploymentHealthPlugin,
  EntityDeploymentHealthContent,
  EntityDeploymentHealthCard,
  EntityGroupDeploymentHealthContent,
  DeploymentHealthPage,
  DeploymentHealthClustersPage,
} from './plugin';
export type { DeploymentHealthClustersPageProps } from './components/ClustersPage';
export type { EntityDeploymentHealthContentProps } from './components/EntityDeploymentsContent';
export type { EntityDeploymentHealthCardProps } from './components/EntityDeploymentsCard';
export type {
  DeploymentHealthPageProps,
  EntityGroupDeploymentHealthContentProps,
} from './components/TeamDeployments';
export { isDeploymentHealthAvailable, isGroupEntity } from './filters';
export { deploymentHealthApiRef, DeploymentHealthClient } from './api';
export type {
  DeploymentHealthApi,
  DeploymentHealthDiscovery,
  DeploymentHealthFetch,
} from './api';
