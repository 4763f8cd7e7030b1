export { EntityDeploymentsCard } from './EntityDeploymentsCard';
export type { EntityDeploymentHealthCardProps } from './EntityDeploymentsCard';
