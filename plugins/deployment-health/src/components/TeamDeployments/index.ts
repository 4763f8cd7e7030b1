export { TeamDeploymentsView } from './TeamDeploymentsView';
export { TeamDeploymentsMatrix } from './TeamDeploymentsMatrix';
export { GroupDeploymentsContent } from './GroupDeploymentsContent';
export type { EntityGroupDeploymentHealthContentProps } from './GroupDeploymentsContent';
export {
  DeploymentHealthPage,
  DeploymentHealthPageContent,
} from './DeploymentHealthPage';
export type { DeploymentHealthPageProps } from './DeploymentHealthPage';
