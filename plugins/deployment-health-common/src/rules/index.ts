export {
  HEALTH_STATUSES,
  DEPLOYMENT_STATES,
  compareWorstFirst,
  worstStatus,
  statusOf,
} from './status';
export type { DeploymentState, RuleOptions } from './status';
export { podHealth } from './pods';
export { rolloutHealth } from './rollout';
export type { Workload } from './rollout';
export { hpaHealth } from './hpa';
export { summarizeEvents } from './events';
export { workloadHealth } from './workload';
export { clusterHealth } from './cluster';
export { clusterErrorReason, clusterSyncingReason } from './clusterReasons';
export type { ServiceObjects } from './cluster';
export {
  entityHealth,
  isDeployedIn,
  notDeployedReason,
  deploymentStateOf,
} from './service';
export {
  workloadVersion,
  parseImageRef,
  parseHelmChart,
  runningDigest,
} from './versions';
export { serviceVersions, compareVersions } from './drift';
export {
  projectNode,
  parseQuantity,
  podRequests,
  nodeHealth,
  clusterNodeHealth,
  nodeImpactReasons,
} from './nodes';
export { deploymentRollouts, hpaScale } from './timeline';
export { precedingRollout, ROLLOUT_LINK_WINDOW_MS } from './timelineLinks';
