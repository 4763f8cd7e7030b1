import { ResponseError } from '@backstage/errors';
import type {
  ClusterStatus,
  ClustersResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { useApi } from '@backstage/frontend-plugin-api';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useCallback } from 'react';
import { deploymentHealthApiRef } from '../../api';
import { useNow, usePolling } from '../../hooks/usePolling';
import { DataState } from '../common/DataState';
import { ReasonList } from '../common/ReasonList';
import { RefreshBar } from '../common/RefreshBar';
import { StatusChip } from '../common/StatusChip';
import { SyncAge } from '../common/SyncAge';

/** What the watch cache of one cluster is doing, in words. */
function connection(c: ClusterStatus): string {
  if (c.state === 'ok') return 'Watching';
  if (c.state === 'syncing') return 'First sync';
  return c.error ? `${c.error.type}: ${c.error.message}` : 'Error';
}

/**
 * The cluster's own health from its nodes, beside its connection: the
 * status, nodes ready of total, the control plane version and the reasons
 * (each naming its node).
 */
function ClusterHealthCell(props: { cluster: ClusterStatus }) {
  const { health } = props.cluster;
  if (!health) return null;
  const facts = [
    health.nodes && `${health.nodes.ready}/${health.nodes.total} nodes ready`,
    health.controlPlaneVersion && `API server ${health.controlPlaneVersion}`,
  ].filter(Boolean);
  return (
    <>
      <StatusChip status={health.status} />
      {facts.length > 0 && (
        <Typography variant="body2" component="span">
          {' '}
          {facts.join(' · ')}
        </Typography>
      )}
      <ReasonList
        reasons={health.reasons}
        aria-label={`Health reasons of ${
          props.cluster.title ?? props.cluster.name
        }`}
      />
    </>
  );
}

/** The clusters, or null for a caller without `deployment-health.clusters.read`. */
async function readClusters(
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
 * Every configured cluster with its connection, its own health (nodes) and
 * how old its data is, so
 * that a cluster whose data is no longer confirmed current shows as such
 * even where no service of the team runs. Nothing for a caller who may not
 * read the cluster list.
 */
export function ClusterList(props: { refreshIntervalMs?: number }) {
  const api = useApi(deploymentHealthApiRef);
  const load = useCallback(
    (signal: AbortSignal) => readClusters(() => api.getClusters({ signal })),
    [api],
  );
  const state = usePolling('clusters', load, props.refreshIntervalMs);
  const now = useNow(1000);
  if (state.value === null) return null;
  return (
    <>
      <RefreshBar state={state} intervalMs={props.refreshIntervalMs}>
        <Typography variant="h6" component="h2">
          Clusters
        </Typography>
      </RefreshBar>
      <DataState state={state}>
        {data => (
          <Table size="small" aria-label="Clusters">
            <TableHead>
              <TableRow>
                <TableCell>Cluster</TableCell>
                <TableCell>Environment</TableCell>
                <TableCell>Connection</TableCell>
                <TableCell>Health</TableCell>
                <TableCell>Data</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {(data?.clusters ?? []).map(c => (
                <TableRow key={c.name}>
                  <TableCell>{c.title ?? c.name}</TableCell>
                  <TableCell>{c.environment}</TableCell>
                  <TableCell>{connection(c)}</TableCell>
                  <TableCell>
                    <ClusterHealthCell cluster={c} />
                  </TableCell>
                  <TableCell>
                    <SyncAge
                      lastSyncedAt={c.lastSyncedAt}
                      stale={c.stale}
                      now={now}
                    />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </DataState>
    </>
  );
}
