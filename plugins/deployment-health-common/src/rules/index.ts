export { worstStatus, statusOf } from './status';
export type { RuleOptions } from './status';
export { podHealth } from './pods';
export { rolloutHealth, hpaHealth } from './workloads';
export type { Workload } from './workloads';
export { summarizeEvents } from './events';
export {
  clusterHealth,
  entityHealth,
  workloadHealth,
  clusterErrorReason,
} from './aggregate';
export type { ServiceObjects } from './aggregate';
