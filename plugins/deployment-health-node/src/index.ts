/**
 * Backend library for Shipyard deployment health: cluster config and
 * authenticated Kubernetes clients, exposed as a backend service.
 *
 * @packageDocumentation
 */
export type { ClusterAccess, ShipyardCluster } from './clusterConfig';
export {
  shipyardClustersServiceRef,
  ConfigShipyardClusters,
} from './ShipyardClustersService';
export type { ShipyardClustersService } from './ShipyardClustersService';
export { assertSupportedBackstageRelease } from './supportedRelease';
export type { ShipyardPackageInfo } from './supportedRelease';
