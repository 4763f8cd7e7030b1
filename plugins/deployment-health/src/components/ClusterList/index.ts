export { ClusterList } from './ClusterList';
