/**
 * Backend library for Shipyard deployment health: cluster config and
 * authenticated Kubernetes clients, exposed as a backend service, and the
 * one way to read a service's objects from a cluster.
 *
 * @packageDocumentation
 */
export type {
  ClusterAccess,
  ShipyardCluster,
} from './config/clusterDefinition';
export { ConfigShipyardClusters } from './ShipyardClustersService';
export { shipyardClustersServiceRef } from './shipyardClustersServiceRef';
export type {
  ConfigShipyardClustersOptions,
  ShipyardClustersService,
} from './ShipyardClustersService';
export { assertSupportedBackstageRelease } from './supportedRelease';
export type { ShipyardPackageInfo } from './supportedRelease';
export { ClusterConnection } from './kube/connection';
export { classifyError, KubeRequestError } from './kube/errors';
export { KubeHttp } from './kube/kubeHttp';
export type { KubeListPage, KubeQuery } from './kube/kubeHttp';
export { readClusterReadOptions } from './kube/options';
export type { ClusterReadOptions } from './kube/options';
export {
  LABELLED,
  RESOURCES,
  optionalPermissionOf,
  toCached,
} from './kube/resources';
export type { Resource, ResourceKey, ResourceSelector } from './kube/resources';
export { readServiceObjects } from './kube/serviceObjects';
export type {
  ServiceObjectsQuery,
  ServiceObjectsResult,
} from './kube/serviceObjects';
export { readTenancyRules } from './tenancy';
export { readUserGroups } from './membership';
export { shipyardAuthStrategyServiceRef } from './auth/authStrategyService';
export type { ShipyardAuthStrategy } from './auth/authStrategyService';
