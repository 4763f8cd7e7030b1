import { InfoCard, Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_KUBERNETES_ID,
  ClusterHealth,
  ClustersPreparing,
  isDeploymentHealthAvailable,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { preparingText } from '../common/EmptyStates';
import { StatusChip } from '../common/StatusChip';
import { compareEnvironments } from '../common/environments';
import { formatAgo } from '../common/format';
import { topReason } from '../common/topReason';
import { useEntityHealth } from '../EntityDeploymentsContent';
import { useNow } from '../../hooks/usePolling';

const useStyles = makeStyles(theme => ({
  item: { gap: theme.spacing(1.5), alignItems: 'flex-start' },
  env: { textTransform: 'capitalize', fontWeight: 600 },
  wrap: { whiteSpace: 'normal', overflowWrap: 'anywhere' },
}));

function podCounts(c: ClusterHealth) {
  let ready = 0;
  let desired = 0;
  for (const w of c.workloads) {
    ready += w.rollout.ready;
    desired += w.rollout.desired;
  }
  return { ready, desired };
}

/**
 * Props of the deployment summary card of a service.
 *
 * @public
 */
export interface EntityDeploymentHealthCardProps {
  /** Link to the full Deployments tab, relative to the entity page. */
  tabPath?: string;
  /** Auto-refresh interval in ms (default 10 000; 0 disables). */
  refreshIntervalMs?: number;
}

/**
 * Summary of a service's deployments for the entity overview page.
 *
 * @public
 */
export function EntityDeploymentsCard(props: EntityDeploymentHealthCardProps) {
  const { entity } = useEntity();
  if (!isDeploymentHealthAvailable(entity)) {
    return (
      <InfoCard title="Deployments">
        <Typography variant="body2">
          Add the <code>{ANNOTATION_KUBERNETES_ID}</code> annotation to this
          entity to see its deployment health.
        </Typography>
      </InfoCard>
    );
  }
  return <CardBody {...props} />;
}

function CardBody(props: EntityDeploymentHealthCardProps) {
  const { entity } = useEntity();
  const classes = useStyles();
  const now = useNow(5000);
  const state = useEntityHealth(entity, props.refreshIntervalMs);
  const health = state.value?.health;
  const noClusters = state.value?.clusters?.clusters.length === 0;
  const preparing = state.value?.clusters?.preparing;
  const clusters = [...(health?.clusters ?? [])].sort(
    (a, b) =>
      compareEnvironments(a.environment, b.environment) ||
      a.cluster.localeCompare(b.cluster),
  );
  return (
    <InfoCard
      title="Deployments"
      subheader={
        health && clusters.length > 0 ? (
          <StatusChip status={health.status} size="medium" />
        ) : undefined
      }
      deepLink={
        props.tabPath
          ? { title: 'View deployments', link: props.tabPath }
          : undefined
      }
    >
      {state.loading && !health ? <Progress /> : null}
      {state.error && !health ? (
        <Alert severity="error" variant="outlined">
          Could not load deployment health: {state.error.message}
        </Alert>
      ) : null}
      {health && clusters.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          {noClusters
            ? noClustersText(preparing)
            : 'Not deployed to any cluster yet.'}
        </Typography>
      ) : null}
      {clusters.length > 0 ? (
        <List dense disablePadding aria-label="Deployments by environment">
          {clusters.map(c => {
            const { ready, desired } = podCounts(c);
            const reason = topReason(c);
            return (
              <ListItem key={c.cluster} disableGutters className={classes.item}>
                <StatusChip status={c.status} />
                <ListItemText
                  secondaryTypographyProps={{ className: classes.wrap }}
                  primary={
                    <>
                      <span className={classes.env}>{c.environment}</span> ·{' '}
                      {c.title ?? c.cluster} · {ready}/{desired} ready
                    </>
                  }
                  secondary={
                    c.error
                      ? `${c.error.message} (last synced ${
                          formatAgo(c.lastSyncedAt, now) ?? 'never'
                        })`
                      : reason?.message
                  }
                />
              </ListItem>
            );
          })}
        </List>
      ) : null}
    </InfoCard>
  );
}

function noClustersText(preparing?: ClustersPreparing) {
  return preparing
    ? `Clusters are being prepared (${preparingText(preparing)}).`
    : 'No Kubernetes cluster is configured.';
}
