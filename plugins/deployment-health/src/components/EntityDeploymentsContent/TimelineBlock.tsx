import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  EntityTimelineResponse,
  precedingRollout,
  RolloutChange,
  TimelineEntry,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useEffect, useState } from 'react';
import { deploymentHealthApiRef } from '../../api';
import { compareEnvironments } from '../common/environments';
import { formatAgo, formatDuration } from '../common/format';

const useStyles = makeStyles(theme => ({
  root: { padding: theme.spacing(1.5, 2) },
  header: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(2),
  },
  list: { listStyle: 'none', margin: theme.spacing(1, 0, 0), padding: 0 },
  item: {
    display: 'grid',
    gridTemplateColumns: '7em 8em 1fr',
    columnGap: theme.spacing(2),
    padding: theme.spacing(0.5, 0),
    borderTop: `1px solid ${theme.palette.divider}`,
  },
  env: { textTransform: 'capitalize', fontWeight: 600 },
}));

// not an environment name: environments come from config as words
const ALL = '*';
const where = (e: TimelineEntry) => e.environment ?? e.cluster;
const versions = (r: RolloutChange) =>
  `${r.from ?? 'unknown'} → ${r.to ?? 'unknown'}`;

/** Images that changed between the two templates: "repo:a → repo:b". */
function imageChanges(r: RolloutChange): string[] {
  const added = r.toImages.filter(i => !r.fromImages.includes(i));
  const removed = r.fromImages.filter(i => !r.toImages.includes(i));
  if (added.length === 1 && removed.length === 1)
    return [`${removed[0]} → ${added[0]}`];
  return [...removed.map(i => `− ${i}`), ...added.map(i => `+ ${i}`)];
}

const RESULT_TEXT: Record<RolloutChange['result'], string> = {
  progressing: 'in progress',
  complete: 'complete',
  stuck: 'stuck',
  'rolled back': 'rolled back',
  superseded: 'superseded',
};

function EntryText(props: { entry: TimelineEntry; entries: TimelineEntry[] }) {
  const { entry, entries } = props;
  if (entry.type === 'rollout') {
    const r = entry.rollout;
    return (
      <div>
        <Typography variant="body2">
          Rollout {versions(r)} of {r.workload.name} (revision {r.revision}):{' '}
          {RESULT_TEXT[r.result]}
        </Typography>
        {imageChanges(r).map(line => (
          <Typography key={line} variant="caption" color="textSecondary">
            {line}
          </Typography>
        ))}
      </div>
    );
  }
  if (entry.type === 'scale') {
    const c = entry.scale;
    return (
      <Typography variant="body2">
        Autoscaler {c.hpa.name} scaled {c.target.kind} {c.target.name}{' '}
        {c.from !== undefined ? `from ${c.from} ` : ''}to {c.to} replicas
        {c.to >= c.maxReplicas ? ' (its maximum)' : ''}
      </Typography>
    );
  }
  const t = entry.transition;
  const cause = precedingRollout(entries, entry);
  return (
    <div>
      <Typography variant="body2">
        {t.from ? `Became ${t.to}` : `First seen ${t.to}`}
        {cause ? (
          <>
            {' '}
            {formatDuration(cause.seconds * 1000)} after{' '}
            <a href={`#timeline-${cause.entryId}`}>
              rollout {versions(cause.rollout)}
            </a>
          </>
        ) : null}
        {t.from ? ` (was ${t.from})` : ''}
      </Typography>
      {t.reasons[0] ? (
        <Typography variant="caption" color="textSecondary">
          {t.reasons[0].message}
        </Typography>
      ) : null}
    </div>
  );
}

/**
 * The service's recent changes, newest first: rollouts and status
 * transitions per environment, a failure linked to the rollout just before
 * it. Fails on its own: the health above does not depend on it.
 */
export function TimelineBlock(props: {
  entityRef: CompoundEntityRef;
  /** Changes when the health was refetched: the timeline is read again. */
  refreshKey?: string;
}) {
  const { entityRef, refreshKey } = props;
  const classes = useStyles();
  const api = useApi(deploymentHealthApiRef);
  const [state, setState] = useState<{
    value?: EntityTimelineResponse;
    error?: Error;
  }>({});
  const [environment, setEnvironment] = useState(ALL);
  const { kind, namespace, name } = entityRef;

  useEffect(() => {
    const abort = new AbortController();
    api
      .getEntityTimeline({ kind, namespace, name }, { signal: abort.signal })
      .then(
        value => setState({ value }),
        error => {
          if (!abort.signal.aborted) setState(s => ({ ...s, error }));
        },
      );
    return () => abort.abort();
  }, [api, kind, namespace, name, refreshKey]);

  const entries = state.value?.entries ?? [];
  const environments = [...new Set(entries.map(where))].sort(
    compareEnvironments,
  );
  const shown = entries.filter(
    e => environment === ALL || where(e) === environment,
  );
  const now = new Date();
  // 404: a backend without the timeline, or with it switched off
  // (deploymentHealth.timeline.enabled): nothing to show, nothing wrong.
  if (
    !state.value &&
    (state.error as { statusCode?: number })?.statusCode === 404
  )
    return null;
  return (
    <Paper
      variant="outlined"
      className={classes.root}
      component="section"
      aria-label="Recent changes"
    >
      <div className={classes.header}>
        <Typography variant="subtitle1" component="h3">
          Recent changes
        </Typography>
        {environments.length > 1 ? (
          <TextField
            select
            id="timeline-environment"
            size="small"
            label="Environment"
            value={environment}
            onChange={e => setEnvironment(e.target.value as string)}
          >
            <MenuItem value={ALL}>All environments</MenuItem>
            {environments.map(e => (
              <MenuItem key={e} value={e}>
                {e}
              </MenuItem>
            ))}
          </TextField>
        ) : null}
      </div>
      {state.error && !state.value ? (
        <Typography variant="body2" color="error">
          The timeline could not be read: {state.error.message}
        </Typography>
      ) : null}
      {state.value && shown.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          {state.value.note ?? 'No changes recorded yet.'}
        </Typography>
      ) : null}
      <ul className={classes.list}>
        {shown.map(e => (
          <li
            key={e.id}
            id={`timeline-${e.id}`}
            className={classes.item}
            data-testid="timeline-entry"
          >
            <Typography variant="body2" title={e.at}>
              {formatAgo(e.at, now)}
            </Typography>
            <Typography variant="body2" className={classes.env}>
              {where(e)}
            </Typography>
            <EntryText entry={e} entries={entries} />
          </li>
        ))}
      </ul>
    </Paper>
  );
}
