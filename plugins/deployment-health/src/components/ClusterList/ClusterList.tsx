import type { ClusterStatus } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { connectionText, useClusters } from '../common/clusters';
import { DataState } from '../common/DataState';
import { ReasonList } from '../common/ReasonList';
import { RefreshBar } from '../common/RefreshBar';
import { StatusChip } from '../common/StatusChip';
import { SyncAge } from '../common/SyncAge';

/**
 * The cluster's own health from its nodes, beside its connection: the
 * status, nodes ready of total, the control plane version and the reasons
 * (each naming its node; folded per code for a caller without the node
 * details permission). The Clusters page has the rest.
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

/**
 * Every configured cluster with its connection, its own health (nodes) and
 * how old its data is, so
 * that a cluster whose data is no longer confirmed current shows as such
 * even where no service of the team runs. Nothing for a caller who may not
 * read the cluster list.
 */
export function ClusterList(props: { refreshIntervalMs?: number }) {
  const { state, now } = useClusters(props.refreshIntervalMs);
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
                  <TableCell>{connectionText(c)}</TableCell>
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
