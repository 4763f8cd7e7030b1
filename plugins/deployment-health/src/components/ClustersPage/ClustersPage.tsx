import { Content, EmptyState, Header, Page } from '@backstage/core-components';
import { parseEntityRef } from '@backstage/catalog-model';
import type {
  ClusterNodeHealth,
  ClusterStatus,
  NodeHealth,
  NodeService,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { connectionText, useClusters } from '../common/clusters';
import { DataState } from '../common/DataState';
import { NoClustersState } from '../common/EmptyStates';
import { ReasonList } from '../common/ReasonList';
import { RefreshBar } from '../common/RefreshBar';
import { StatusChip } from '../common/StatusChip';
import { SyncAge } from '../common/SyncAge';

const GIB = 2 ** 30;

/** "1.5", "24": cores or GiB for people, one decimal at most. */
const amount = (n: number) => String(Math.round(n * 10) / 10);

/**
 * One resource as a bar: what the pods request of what the nodes offer.
 * The text says the same, so the bar is not the only carrier.
 */
function CapacityBar(props: {
  label: string;
  requested: number;
  allocatable: number;
  unit: string;
}) {
  const { label, requested, allocatable, unit } = props;
  const percent = allocatable > 0 ? (requested / allocatable) * 100 : 0;
  const text = `${amount(requested)} of ${amount(
    allocatable,
  )} ${unit} requested (${Math.round(percent)}%)`;
  return (
    <Box mb={1}>
      <Typography variant="body2">
        {label}: {text}
      </Typography>
      <LinearProgress
        variant="determinate"
        value={Math.min(100, percent)}
        aria-label={`${label} requested of allocatable`}
        aria-valuetext={text}
      />
    </Box>
  );
}

/** Allocatable against requested CPU, memory and pod slots. */
function Capacity(props: { health: ClusterNodeHealth }) {
  const { allocatable, requested } = props.health;
  if (!allocatable || !requested) return null;
  return (
    <Box maxWidth={480} my={2}>
      <CapacityBar
        label="CPU"
        requested={requested.cpuMillis / 1000}
        allocatable={allocatable.cpuMillis / 1000}
        unit="cores"
      />
      <CapacityBar
        label="Memory"
        requested={requested.memoryBytes / GIB}
        allocatable={allocatable.memoryBytes / GIB}
        unit="GiB"
      />
      <CapacityBar
        label="Pods"
        requested={requested.pods}
        allocatable={allocatable.pods}
        unit="slots"
      />
    </Box>
  );
}

/** "ledger-worker (payments, team-payments)": a service, its namespace and the teams that own it. */
function serviceText(svc: NodeService): string {
  const teams = (svc.teams ?? []).map(t => parseEntityRef(t).name);
  return `${svc.id} (${[svc.namespace, ...teams].join(', ')})`;
}

/**
 * The nodes with findings: one row each, with its conditions and the
 * services (and their teams) whose pods run there.
 */
function SickNodes(props: { cluster: string; nodes: NodeHealth[] }) {
  if (props.nodes.length === 0) return null;
  return (
    <Table size="small" aria-label={`Sick nodes of ${props.cluster}`}>
      <TableHead>
        <TableRow>
          <TableCell>Node</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Ready</TableCell>
          <TableCell>Kubelet</TableCell>
          <TableCell>Findings</TableCell>
          <TableCell>Services here</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.nodes.map(n => (
          <TableRow key={n.name}>
            <TableCell>{n.name}</TableCell>
            <TableCell>
              <StatusChip status={n.status} />
            </TableCell>
            <TableCell>
              {n.ready}
              {n.unschedulable ? ' (cordoned)' : ''}
            </TableCell>
            <TableCell>{n.kubeletVersion ?? '—'}</TableCell>
            <TableCell>
              <ReasonList
                reasons={n.reasons}
                aria-label={`Findings of node ${n.name}`}
              />
            </TableCell>
            <TableCell>
              {(n.services ?? []).map(serviceText).join(', ') || '—'}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * One cluster: connection and data age, then its own health from its
 * nodes. Versions, capacity and sick nodes are there only for a caller with
 * `deployment-health.nodes.read`; others get the status, the nodes ready
 * and the findings folded per code, and are told why.
 */
function ClusterSection(props: { cluster: ClusterStatus; now: Date }) {
  const { cluster: c, now } = props;
  const name = c.title ?? c.name;
  const { health } = c;
  const facts = [
    `Environment ${c.environment}`,
    health?.nodes && `${health.nodes.ready}/${health.nodes.total} nodes ready`,
    health?.controlPlaneVersion && `API server ${health.controlPlaneVersion}`,
    health?.kubeletVersions?.length &&
      `kubelet ${health.kubeletVersions.join(', ')}`,
  ].filter(Boolean);
  return (
    <Box component="section" aria-label={name} mb={3}>
      <Paper variant="outlined">
        <Box p={2}>
          <Box display="flex" alignItems="center" flexWrap="wrap" gridGap={8}>
            <Typography variant="h6" component="h3">
              {name}
            </Typography>
            {health && <StatusChip status={health.status} />}
            <Typography variant="body2" component="span">
              {connectionText(c)}
            </Typography>
            <SyncAge lastSyncedAt={c.lastSyncedAt} stale={c.stale} now={now} />
          </Box>
          <Typography variant="body2" color="textSecondary">
            {facts.join(' · ')}
          </Typography>
          {health && (
            <>
              <Capacity health={health} />
              <ReasonList
                reasons={health.reasons}
                aria-label={`Health reasons of ${name}`}
              />
              <SickNodes cluster={name} nodes={health.sickNodes ?? []} />
              {health.nodeDetailsRestricted && (
                <Alert severity="info">
                  Node names, versions and capacity are shown to the platform
                  team only.
                </Alert>
              )}
            </>
          )}
        </Box>
      </Paper>
    </Box>
  );
}

/** Every cluster with its connection and its own health (the page's content, without header). */
export function ClustersPageContent(props: { refreshIntervalMs?: number }) {
  const { state, now } = useClusters(props.refreshIntervalMs);
  return (
    <>
      <RefreshBar state={state} intervalMs={props.refreshIntervalMs}>
        <Typography variant="h5" component="h2">
          Clusters
        </Typography>
      </RefreshBar>
      <DataState state={state}>
        {data => {
          if (data === null)
            return (
              <EmptyState
                missing="info"
                title="Not allowed to read the clusters"
                description="Reading the clusters needs the deployment-health.clusters.read permission."
              />
            );
          if (data.clusters.length === 0)
            return <NoClustersState preparing={data.preparing} />;
          return data.clusters.map(c => (
            <ClusterSection key={c.name} cluster={c} now={now} />
          ));
        }}
      </DataState>
    </>
  );
}

/**
 * Props of the Clusters page.
 *
 * @public
 */
export interface DeploymentHealthClustersPageProps {
  /** Auto-refresh interval in ms (default 10 000; 0 disables). */
  refreshIntervalMs?: number;
}

/**
 * The Clusters page (legacy frontend system: includes its header).
 *
 * @public
 */
export function ClustersPage(props: DeploymentHealthClustersPageProps) {
  return (
    <Page themeId="tool">
      <Header
        title="Clusters"
        subtitle="How is each cluster doing: nodes, capacity, versions"
      />
      <Content>
        <ClustersPageContent {...props} />
      </Content>
    </Page>
  );
}
