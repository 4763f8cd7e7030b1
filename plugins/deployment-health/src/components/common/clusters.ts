import { ResponseError } from '@backstage/errors';
import type {
  ClusterStatus,
  ClustersResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';

/** What the watch cache of one cluster is doing, in words. */
export function connectionText(c: ClusterStatus): string {
  if (c.state === 'ok') return 'Watching';
  if (c.state === 'syncing') return 'First sync';
  return c.error ? `${c.error.type}: ${c.error.message}` : 'Error';
}

/** The clusters, or null for a caller without `deployment-health.clusters.read`. */
export async function readClusters(
  load: () => Promise<ClustersResponse>,
): Promise<ClustersResponse | null> {
  try {
    return await load();
  } catch (e) {
    if (e instanceof ResponseError && e.statusCode === 403) return null;
    throw e;
  }
}
