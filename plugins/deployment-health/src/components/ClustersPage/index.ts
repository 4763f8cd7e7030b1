export { ClustersPage, ClustersPageContent } from './ClustersPage';
export type { DeploymentHealthClustersPageProps } from './ClustersPage';
