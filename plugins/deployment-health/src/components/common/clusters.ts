import { ResponseError } from '@backstage/errors';
import { useApi } from '@backstage/frontend-plugin-api';
import { useCallback } from 'react';
import type {
  ClusterStatus,
  ClustersResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { deploymentHealthApiRef } from '../../api';
import { useNow, usePolling } from '../../hooks/usePolling';

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

/**
 * The clusters, polled (null value for a caller who may not read them), and
 * a clock ticking every second for their data's age: the cluster list and
 * the Clusters page both show them.
 */
export function useClusters(refreshIntervalMs?: number) {
  const api = useApi(deploymentHealthApiRef);
  const load = useCallback(
    (signal: AbortSignal) => readClusters(() => api.getClusters({ signal })),
    [api],
  );
  const state = usePolling('clusters', load, refreshIntervalMs);
  const now = useNow(1000);
  return { state, now };
}
