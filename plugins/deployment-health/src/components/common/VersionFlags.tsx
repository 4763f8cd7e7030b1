import {
  EnvironmentVersions,
  VersionDrift,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { versionFlags } from './versionText';

const useStyles = makeStyles(theme => ({
  line: { display: 'flex', alignItems: 'baseline', gap: 6, flexWrap: 'wrap' },
  mono: { fontFamily: 'monospace' },
  warning: { color: theme.palette.warning.dark },
  muted: { color: theme.palette.text.secondary },
}));

/**
 * What a service runs in one environment: a line per workload with its
 * version (the workload's name too when there are several) and its flags:
 * a rollout, mixed versions, drift against another environment.
 */
export function EnvironmentVersionLines(props: {
  versions: EnvironmentVersions | undefined;
  drift: VersionDrift[];
}) {
  const { versions, drift } = props;
  const classes = useStyles();
  if (!versions?.workloads.length) return null;
  const many = versions.workloads.length > 1;
  return (
    <>
      {versions.workloads.map(v => (
        <div
          key={`${v.kind}/${v.name}`}
          className={classes.line}
          data-testid="environment-version"
        >
          <Typography variant="body2" component="span">
            {many ? `${v.name} ` : ''}
            <span className={classes.mono}>
              {v.version ?? 'version unknown'}
            </span>
          </Typography>
          {versionFlags(v, drift).map(f => (
            <Typography
              key={f.text}
              variant="caption"
              component="span"
              className={
                f.severity === 'warning' ? classes.warning : classes.muted
              }
            >
              {f.text}
            </Typography>
          ))}
        </div>
      ))}
    </>
  );
}
