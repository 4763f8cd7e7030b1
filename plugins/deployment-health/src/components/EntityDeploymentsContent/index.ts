export {
  EntityDeploymentsContent,
  useEntityHealth,
} from './EntityDeploymentsContent';
