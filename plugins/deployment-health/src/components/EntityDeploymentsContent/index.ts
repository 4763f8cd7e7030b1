export {
  EntityDeploymentsContent,
  useEntityHealth,
} from './EntityDeploymentsContent';
export type { EntityDeploymentHealthContentProps } from './EntityDeploymentsContent';
