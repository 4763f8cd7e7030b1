import {
  HpaHealth,
  RolloutHealth,
  WorkloadHealth,
  WorkloadVersion,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ReasonList } from '../common/ReasonList';
import { StatusChip } from '../common/StatusChip';
import { splitImage } from '../common/format';
import { formatUtc, mixedText, rolloutText } from '../common/versionText';
import { EventsTable } from './EventsTable';
import { PodsTable } from './PodsTable';

const useStyles = makeStyles(theme => ({
  root: {
    borderTop: `1px solid ${theme.palette.divider}`,
    paddingTop: theme.spacing(1.5),
    marginTop: theme.spacing(1.5),
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(240px, 1fr))',
    gap: theme.spacing(2),
    margin: theme.spacing(1, 0),
  },
  label: {
    textTransform: 'uppercase',
    fontSize: '0.7rem',
    letterSpacing: '0.06em',
    color: theme.palette.text.secondary,
    fontWeight: 600,
  },
  mono: { fontFamily: 'monospace' },
  progress: { height: 6, borderRadius: 3, marginTop: theme.spacing(0.5) },
  subheading: { marginTop: theme.spacing(1.5), fontWeight: 600 },
}));

/** Revision is optional: older backends do not send it. */
function RolloutFacts(props: { rollout: RolloutHealth; kind: string }) {
  const { rollout: r } = props;
  const classes = useStyles();
  const pct = r.desired > 0 ? Math.round((r.available / r.desired) * 100) : 100;
  return (
    <div>
      <Typography className={classes.label} component="div">
        Rollout{r.revision !== undefined ? ` · revision ${r.revision}` : ''}
      </Typography>
      <Typography variant="body2">
        <strong>{r.updated}</strong> updated · <strong>{r.ready}</strong> ready
        · <strong>{r.available}</strong> available of{' '}
        <strong>{r.desired}</strong> desired
      </Typography>
      <LinearProgress
        className={classes.progress}
        variant="determinate"
        value={Math.min(100, pct)}
        aria-label={`${r.available} of ${r.desired} replicas available`}
        color={r.complete ? 'primary' : 'secondary'}
      />
      <Typography variant="caption" color="textSecondary">
        {r.complete ? 'Rollout complete' : 'Rollout not complete'}
        {r.current > r.desired
          ? ` · ${r.current} pods running (old + new)`
          : ''}
        {!r.observedLatestGeneration
          ? ' · controller has not seen the latest spec yet'
          : ''}
      </Typography>
    </div>
  );
}

function HpaFacts(props: { hpa: HpaHealth }) {
  const { hpa } = props;
  const classes = useStyles();
  return (
    <div>
      <Typography className={classes.label} component="div">
        Autoscaler {hpa.name}
      </Typography>
      <Typography variant="body2">
        <strong>{hpa.currentReplicas}</strong> current /{' '}
        <strong>{hpa.desiredReplicas}</strong> desired of {hpa.minReplicas}–
        {hpa.maxReplicas}
        {hpa.atMax ? ' · at maximum' : ''}
      </Typography>
      {hpa.metrics.length > 0 && (
        <Typography variant="caption" color="textSecondary">
          {hpa.metrics
            .map(
              m =>
                `${m.name}: ${m.current ?? '?'}${
                  m.target ? ` / ${m.target}` : ''
                }`,
            )
            .join(' · ')}
        </Typography>
      )}
    </div>
  );
}

function ImageFacts(props: { images: string[] }) {
  const classes = useStyles();
  return (
    <div>
      <Typography className={classes.label} component="div">
        {props.images.length === 1 ? 'Image' : 'Images'}
      </Typography>
      <Box display="flex" flexWrap="wrap" style={{ gap: 4 }}>
        {props.images.map(image => {
          const { repository, tag } = splitImage(image);
          return (
            <Chip
              key={image}
              size="small"
              className={classes.mono}
              label={`${repository.split('/').pop()}:${tag}`}
              title={image}
            />
          );
        })}
      </Box>
    </div>
  );
}

/**
 * The version the workload runs: its version string, chart (or that it is
 * unknown), app version, Helm release, since when, and what is unusual: an
 * unfinished rollout, or pods on several versions.
 */
function VersionFacts(props: { version: WorkloadVersion }) {
  const { version: v } = props;
  const classes = useStyles();
  const digests = v.containers.filter(c => c.digest);
  return (
    <div aria-label="Version">
      <Typography className={classes.label} component="div">
        Version
      </Typography>
      <Typography variant="body2">
        <strong className={classes.mono}>{v.version ?? 'unknown'}</strong>
        {v.source === 'label' ? ' (from the app version label)' : ''}
        {v.since ? ` · since ${formatUtc(v.since)}` : ''}
      </Typography>
      <Typography variant="caption" color="textSecondary" component="div">
        {v.chart
          ? `Chart ${v.chart.name} ${v.chart.version}`
          : 'Chart version unknown'}
        {v.appVersion ? ` · app version ${v.appVersion}` : ''}
        {v.helmRelease ? ` · Helm release ${v.helmRelease}` : ''}
      </Typography>
      {digests.map(c => (
        <Typography
          key={c.name}
          variant="caption"
          color="textSecondary"
          component="div"
          className={classes.mono}
          title={c.digest}
        >
          {c.name}: {c.digest!.slice(0, 19)}
        </Typography>
      ))}
      {v.rollout ? (
        <Typography variant="body2" color="secondary">
          {rolloutText(v.rollout)}
        </Typography>
      ) : null}
      {v.mixed ? (
        <Typography variant="body2" color="secondary">
          {mixedText(v.replicas.map(r => `${r.version} (${r.pods})`))}
        </Typography>
      ) : null}
    </div>
  );
}

/** One Deployment / StatefulSet / DaemonSet in one cluster. */
export function WorkloadPanel(props: {
  workload: WorkloadHealth;
  now: Date;
  clusterLabel: string;
}) {
  const { workload: w, now, clusterLabel } = props;
  const classes = useStyles();
  const where = `${w.kind} ${w.name} in ${clusterLabel}`;
  return (
    <section className={classes.root} aria-label={where}>
      <div className={classes.header}>
        <Typography variant="subtitle1" component="h4">
          {w.kind} <span className={classes.mono}>{w.name}</span>
        </Typography>
        <StatusChip status={w.status} />
        <Typography variant="body2" color="textSecondary">
          namespace {w.namespace}
        </Typography>
      </div>
      <ReasonList reasons={w.reasons} aria-label={`Reasons for ${where}`} />
      <div className={classes.facts}>
        {w.version ? <VersionFacts version={w.version} /> : null}
        <RolloutFacts rollout={w.rollout} kind={w.kind} />
        {w.hpa ? <HpaFacts hpa={w.hpa} /> : null}
        {w.images.length > 0 ? <ImageFacts images={w.images} /> : null}
      </div>
      <Typography variant="body2" className={classes.subheading} component="h5">
        Pods ({w.pods.length})
      </Typography>
      <PodsTable pods={w.pods} now={now} label={`Pods of ${where}`} />
      {w.events.length > 0 && (
        <>
          <Typography
            variant="body2"
            className={classes.subheading}
            component="h5"
          >
            Recent warning events ({w.events.length})
          </Typography>
          <EventsTable
            events={w.events}
            now={now}
            label={`Warning events of ${where}`}
          />
        </>
      )}
    </section>
  );
}
