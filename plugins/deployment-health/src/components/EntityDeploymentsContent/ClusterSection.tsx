import { ClusterHealth } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { ClusterErrorNotice } from '../common/EmptyStates';
import { ReasonList } from '../common/ReasonList';
import { StatusChip } from '../common/StatusChip';
import { SyncAge } from '../common/SyncAge';
import { PodsTable } from './PodsTable';
import { WorkloadPanel } from './WorkloadPanel';

const useStyles = makeStyles(theme => ({
  root: { padding: theme.spacing(2), marginBottom: theme.spacing(2) },
  header: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1.5),
    marginBottom: theme.spacing(1),
  },
  env: { textTransform: 'capitalize', fontWeight: 600 },
}));

/**
 * Reasons of the cluster that no workload section below shows: sick nodes
 * the service's pods run on (first: the cause of the pods' symptoms), those
 * of pods outside any workload, and of the cluster's data unless the error
 * notice already tells it.
 */
function clusterOnlyReasons(c: ClusterHealth) {
  return c.reasons.filter(
    r =>
      r.scope === 'node' ||
      r.scope === 'pod' ||
      (r.scope === 'cluster' && !c.error),
  );
}

export function clusterLabel(c: {
  cluster: string;
  title?: string;
  environment: string;
}) {
  return `${c.environment} (${c.title ?? c.cluster})`;
}

/** One environment/cluster of one service. */
export function ClusterSection(props: { cluster: ClusterHealth; now: Date }) {
  const { cluster: c, now } = props;
  const classes = useStyles();
  const label = clusterLabel(c);
  const headingId = `cluster-${c.cluster}-heading`;
  return (
    <Paper
      component="section"
      variant="outlined"
      className={classes.root}
      aria-labelledby={headingId}
      data-testid="cluster-section"
    >
      <div className={classes.header}>
        <Typography variant="h6" component="h3" id={headingId}>
          <span className={classes.env}>{c.environment}</span>{' '}
          <Typography component="span" variant="body2" color="textSecondary">
            {c.title ? `${c.title} · ` : ''}cluster {c.cluster}
          </Typography>
        </Typography>
        <StatusChip status={c.status} size="medium" />
        <Box flexGrow={1} />
        <SyncAge lastSyncedAt={c.lastSyncedAt} stale={c.stale} now={now} />
        {c.source === 'query' ? (
          <Typography variant="body2" color="textSecondary">
            on-demand query
          </Typography>
        ) : null}
      </div>
      {c.error ? (
        <Box mb={1}>
          <ClusterErrorNotice
            cluster={c.title ?? c.cluster}
            error={c.error}
            lastSyncedAt={c.lastSyncedAt}
            stale={c.stale}
            now={now}
          />
        </Box>
      ) : null}
      {c.truncated ? (
        <Box mb={1}>
          <Alert severity="warning" variant="outlined">
            The on-demand query hit its object limit: some pods may be missing.
            Narrow the label selector annotation.
          </Alert>
        </Box>
      ) : null}
      <ReasonList
        reasons={clusterOnlyReasons(c)}
        showObject
        aria-label={`Reasons for ${label}`}
      />
      {c.workloads.length === 0 && c.otherPods.length === 0 && !c.error ? (
        <Typography variant="body2" color="textSecondary">
          No workloads found in this cluster.
        </Typography>
      ) : null}
      {c.workloads.map(w => (
        <WorkloadPanel
          key={`${w.kind}/${w.namespace}/${w.name}`}
          workload={w}
          now={now}
          clusterLabel={label}
        />
      ))}
      {c.otherPods.length > 0 ? (
        <Box mt={2}>
          <Typography variant="subtitle1" component="h4">
            Other pods (jobs, bare pods)
          </Typography>
          <PodsTable
            pods={c.otherPods}
            now={now}
            label={`Other pods in ${label}`}
          />
        </Box>
      ) : null}
    </Paper>
  );
}
