export {
  TeamDeploymentsView,
  TeamDeploymentsMatrix,
} from './TeamDeploymentsView';
export { GroupDeploymentsContent } from './GroupDeploymentsContent';
export {
  DeploymentHealthPage,
  DeploymentHealthPageContent,
} from './DeploymentHealthPage';
