import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
  ClustersResponse,
  EntityHealthResponse,
  entityHealthChannel,
  isDeploymentHealthAvailable,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useCallback } from 'react';
import { deploymentHealthApiRef } from '../../api';
import { useLiveRefresh } from '../../hooks/useLiveRefresh';
import { useNow } from '../../hooks/usePolling';
import { DataState } from '../common/DataState';
import {
  ClusterErrorNotice,
  DetailsRestrictedNotice,
  MissingAnnotationState,
  NoClustersState,
  NotDeployedState,
  NotReadNotice,
} from '../common/EmptyStates';
import { RefreshBar } from '../common/RefreshBar';
import { StatusChip } from '../common/StatusChip';
import { compareEnvironments } from '../common/environments';
import { ClusterSection } from './ClusterSection';
import { TimelineBlock } from './TimelineBlock';
import { VersionsSummary } from './VersionsSummary';

const useStyles = makeStyles(theme => ({
  root: { display: 'flex', flexDirection: 'column', gap: theme.spacing(2) },
}));

type Data = { health: EntityHealthResponse; clusters?: ClustersResponse };

/** Signals go to the readers of the details (owning team, platform groups). */
const receivesEntitySignals = (d: Data) => !d.health.detailsRestricted;

export function useEntityHealth(entity: Entity, intervalMs?: number) {
  const api = useApi(deploymentHealthApiRef);
  const ref = getCompoundEntityRef(entity);
  const key = `${ref.kind}:${ref.namespace}/${ref.name}`.toLocaleLowerCase(
    'en-US',
  );
  const load = useCallback(
    async (signal: AbortSignal): Promise<Data> => {
      const [health, clusters] = await Promise.all([
        api.getEntityHealth(ref, { signal }),
        // Only used to tell "no cluster configured" from "not deployed";
        // a caller without the clusters permission still sees the health.
        api.getClusters({ signal }).catch(() => undefined),
      ]);
      return { health, clusters };
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key],
  );
  // Objects found by a custom label selector are not in the watch cache,
  // whose changes are what signals announce: those entities poll.
  const channel = entity.metadata.annotations?.[
    ANNOTATION_KUBERNETES_LABEL_SELECTOR
  ]
    ? undefined
    : entityHealthChannel(key);
  return useLiveRefresh(key, load, channel, intervalMs, receivesEntitySignals);
}

function Body(props: { entity: Entity; data: Data }) {
  const { entity, data } = props;
  const { health, clusters } = data;
  const now = useNow(5000);

  const sections = [...health.clusters].sort(
    (a, b) =>
      compareEnvironments(a.environment, b.environment) ||
      a.cluster.localeCompare(b.cluster),
  );
  // Clusters that failed but that the entity response did not include.
  const shown = new Set(sections.map(s => s.cluster));
  const otherErrors = (clusters?.clusters ?? []).filter(
    c => c.error && c.error.type !== 'stale' && !shown.has(c.name),
  );

  const errorNotices = otherErrors.map(c => (
    <ClusterErrorNotice
      key={c.name}
      cluster={c.title ?? c.name}
      error={c.error!}
      lastSyncedAt={c.lastSyncedAt}
      stale={c.stale}
      now={now}
    />
  ));

  // Findings about the service itself other than NotDeployed mean it was not
  // read (refused annotations, no team owner): "not deployed" would be wrong.
  const notRead = health.reasons.filter(
    r => r.scope === 'service' && r.code !== 'NotDeployed',
  );
  if (notRead.length > 0) return <NotReadNotice reasons={notRead} />;

  if (sections.length === 0) {
    if (clusters && clusters.clusters.length === 0) {
      return <NoClustersState preparing={clusters.preparing} />;
    }
    return (
      <>
        {errorNotices}
        <NotDeployedState
          entity={entity}
          clusterNames={(clusters?.clusters ?? []).map(c => c.name)}
        />
      </>
    );
  }

  return (
    <>
      {health.detailsRestricted ? <DetailsRestrictedNotice /> : null}
      {errorNotices}
      {health.versions ? <VersionsSummary versions={health.versions} /> : null}
      {sections.map(c => (
        <ClusterSection key={c.cluster} cluster={c} now={now} />
      ))}
      <TimelineBlock
        entityRef={getCompoundEntityRef(entity)}
        refreshKey={health.generatedAt}
      />
    </>
  );
}

/**
 * Props of the "Deployments" tab of a service.
 *
 * @public
 */
export interface EntityDeploymentHealthContentProps {
  /** Auto-refresh interval in ms (default 10 000; 0 disables). */
  refreshIntervalMs?: number;
}

/**
 * The "Deployments" tab of a service: one section per environment/cluster.
 *
 * @public
 */
export function EntityDeploymentsContent(
  props: EntityDeploymentHealthContentProps,
) {
  const { entity } = useEntity();
  if (!isDeploymentHealthAvailable(entity)) {
    return <MissingAnnotationState entity={entity} />;
  }
  return (
    <EntityDeploymentsForEntity
      entity={entity}
      refreshIntervalMs={props.refreshIntervalMs}
    />
  );
}

function EntityDeploymentsForEntity(props: {
  entity: Entity;
  refreshIntervalMs?: number;
}) {
  const { entity, refreshIntervalMs } = props;
  const classes = useStyles();
  const state = useEntityHealth(entity, refreshIntervalMs);
  const health = state.value?.health;
  return (
    <div className={classes.root} data-testid="deployment-health-content">
      <RefreshBar
        state={state}
        intervalMs={refreshIntervalMs}
        mode={state.mode}
      >
        <Typography variant="h5" component="h2">
          Deployments
        </Typography>
        {health && health.clusters.length > 0 ? (
          <Box display="flex" alignItems="center" style={{ gap: 8 }}>
            <Typography variant="body2" color="textSecondary">
              Overall
            </Typography>
            <StatusChip status={health.status} size="medium" />
          </Box>
        ) : null}
      </RefreshBar>
      <DataState state={state}>
        {data => <Body entity={entity} data={data} />}
      </DataState>
    </div>
  );
}
