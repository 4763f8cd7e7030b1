import {
  ClusterError,
  ClusterHealth,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';

/** What a service's health in one cluster depends on. */
export interface HealthInputs {
  /** Change counter of the service's objects in the cluster's index. */
  version: number;
  /** Change counter of the cluster's Nodes: a pod's node may have fallen sick. */
  nodesVersion?: number;
  /** The time the rules judge ages against, in ms. */
  now: number;
  error?: ClusterError;
  syncing: boolean;
}

/** Time-based rules (restart and event windows, start-up grace) move on in steps this long. */
const TIME_STEP_MS = 30_000;

/**
 * The health of a service in one cluster, kept until an input changes: one
 * of its objects, the cluster error or sync state, or the 30 s time step.
 * A team view of 100 services then does not re-run the rules on thousands of
 * pods for every request.
 */
export class HealthMemo {
  private readonly entries = new Map<
    string,
    { stamp: string; health: ClusterHealth | null }
  >();

  constructor(private readonly maxEntries = 20_000) {}

  get(
    key: string,
    inputs: HealthInputs,
    compute: () => ClusterHealth | null,
  ): ClusterHealth | null {
    const { version, nodesVersion, now, error, syncing } = inputs;
    const stamp = [
      version,
      nodesVersion ?? 0,
      Math.floor(now / TIME_STEP_MS),
      error ? `${error.type}:${error.message}` : '',
      syncing,
    ].join('\0');
    const hit = this.entries.get(key);
    if (hit && hit.stamp === stamp) return hit.health;
    const health = compute();
    if (this.entries.size > this.maxEntries) this.entries.clear();
    this.entries.set(key, { stamp, health });
    return health;
  }
}
