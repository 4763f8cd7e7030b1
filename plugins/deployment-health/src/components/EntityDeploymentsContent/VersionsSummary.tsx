import { ServiceVersions } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { compareEnvironments } from '../common/environments';
import { EnvironmentVersionLines } from '../common/VersionFlags';

const useStyles = makeStyles(theme => ({
  root: { padding: theme.spacing(1.5, 2) },
  grid: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    marginTop: theme.spacing(1),
  },
  env: { textTransform: 'capitalize', fontWeight: 600 },
}));

/**
 * What the service runs in each environment, production first, with its
 * drift (an environment behind another), mixed versions and rollouts.
 */
export function VersionsSummary(props: { versions: ServiceVersions }) {
  const { versions } = props;
  const classes = useStyles();
  const environments = versions.environments
    .filter(e => e.workloads.length > 0)
    .sort((a, b) => compareEnvironments(a.environment, b.environment));
  if (!environments.length) return null;
  return (
    <Paper
      variant="outlined"
      className={classes.root}
      component="section"
      aria-label="Versions by environment"
    >
      <Typography variant="subtitle1" component="h3">
        Versions by environment
      </Typography>
      <div className={classes.grid}>
        {environments.map(e => (
          <div key={e.environment} style={{ display: 'contents' }}>
            <Typography variant="body2" className={classes.env}>
              {e.environment}
            </Typography>
            <div>
              <EnvironmentVersionLines
                versions={e}
                drift={versions.drift.filter(
                  d => d.environment === e.environment,
                )}
              />
            </div>
          </div>
        ))}
      </div>
    </Paper>
  );
}
