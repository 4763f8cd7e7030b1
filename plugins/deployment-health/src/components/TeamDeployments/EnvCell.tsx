import {
  ClusterHealth,
  deploymentStateOf,
  EnvironmentVersions,
  VersionDrift,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import WarningIcon from '@material-ui/icons/Warning';
import { STATE_LABELS, StatusChip } from '../common/StatusChip';
import { formatAgo } from '../common/format';
import { SyncAge } from '../common/SyncAge';
import { topReason } from '../common/topReason';
import { EnvironmentVersionLines } from '../common/VersionFlags';

const useStyles = makeStyles(theme => ({
  cell: { display: 'flex', flexDirection: 'column', gap: 4 },
  cellLine: { display: 'flex', alignItems: 'center', gap: 6, flexWrap: 'wrap' },
  muted: { color: theme.palette.text.secondary },
  sickNode: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: 2,
    color: theme.palette.warning.dark,
    fontWeight: 600,
  },
  sickNodeIcon: { fontSize: '1rem' },
}));

/**
 * Flags a cluster line whose pods run on a sick node (a reason of scope
 * `node`): the cause may be the platform's, not the service's, even when
 * the top reason is a pod's symptom of worse status. The reason's message
 * (node and pods, or the generic one of a summary) is the tooltip.
 */
function SickNodeFlag(props: { cluster: ClusterHealth }) {
  const classes = useStyles();
  const nodeCause = props.cluster.reasons.find(r => r.scope === 'node');
  if (!nodeCause) return null;
  return (
    <Typography
      variant="caption"
      component="span"
      className={classes.sickNode}
      title={nodeCause.message}
      data-testid="sick-node-flag"
    >
      <WarningIcon className={classes.sickNodeIcon} aria-hidden="true" />
      on a sick node
    </Typography>
  );
}

function readyCounts(clusters: ClusterHealth[]) {
  let ready = 0;
  let desired = 0;
  for (const c of clusters)
    for (const w of c.workloads) {
      ready += w.rollout.ready;
      desired += w.rollout.desired;
    }
  return { ready, desired };
}

/**
 * One service in one environment: a line per cluster, then the version of
 * each workload with its flags (rollout, mixed versions, drift); or Not
 * deployed.
 */
export function EnvCell(props: {
  clusters: ClusterHealth[] | undefined;
  now: Date;
  /** What the service runs in this environment (older backends send none). */
  versions?: EnvironmentVersions;
  /** Where this environment is behind or differs from another. */
  drift?: VersionDrift[];
}) {
  const { clusters, now, versions, drift = [] } = props;
  const classes = useStyles();
  if (!clusters || deploymentStateOf(clusters) === 'NotDeployed') {
    return <span className={classes.muted}>{STATE_LABELS.NotDeployed}</span>;
  }
  return (
    <div className={classes.cell}>
      {clusters.map(c => {
        const { ready, desired } = readyCounts([c]);
        const reason = topReason(c);
        const noData = Boolean(c.error) && c.workloads.length === 0;
        return (
          <div key={c.cluster} className={classes.cellLine}>
            <StatusChip
              status={c.status}
              suffix={clusters.length > 1 ? c.title ?? c.cluster : undefined}
              title={c.error?.message ?? reason?.message}
            />
            {noData ? null : (
              <Typography variant="body2" component="span">
                {ready}/{desired} ready
              </Typography>
            )}
            {reason && !noData ? (
              <Typography
                variant="caption"
                component="span"
                className={classes.muted}
                title={reason.message}
              >
                {reason.code}
              </Typography>
            ) : null}
            <SickNodeFlag cluster={c} />
            {c.error ? (
              <Typography
                variant="caption"
                component="span"
                className={classes.muted}
              >
                {noData ? 'No data: cluster ' : 'Cluster '}
                {c.error.type}
                {c.stale
                  ? ''
                  : `, last synced ${
                      formatAgo(c.lastSyncedAt, now) ?? 'never'
                    }`}
              </Typography>
            ) : null}
            {c.stale ? (
              <SyncAge
                lastSyncedAt={c.lastSyncedAt}
                stale
                now={now}
                variant="caption"
              />
            ) : null}
          </div>
        );
      })}
      <EnvironmentVersionLines versions={versions} drift={drift} />
    </div>
  );
}
