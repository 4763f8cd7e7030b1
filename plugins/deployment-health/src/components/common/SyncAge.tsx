import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import WarningIcon from '@material-ui/icons/Warning';
import { formatAgo, formatDuration } from './format';

const useStyles = makeStyles(theme => ({
  stale: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: 4,
    color: theme.palette.warning.dark,
    fontWeight: 600,
  },
  icon: { fontSize: '1rem' },
}));

/**
 * When a cluster's data was last confirmed current. Once the backend calls
 * it stale (older than its staleAfterSeconds, whatever the cause), the age
 * is the headline, as a warning: the figures around it may be out of date.
 */
export function SyncAge(props: {
  lastSyncedAt?: string;
  stale?: boolean;
  now: Date;
  variant?: 'body2' | 'caption';
}) {
  const { lastSyncedAt, stale, now, variant = 'body2' } = props;
  const classes = useStyles();
  const ago = formatAgo(lastSyncedAt, now);
  if (!stale || !lastSyncedAt) {
    return (
      <Typography variant={variant} component="span" color="textSecondary">
        {ago ? `Last synced ${ago}` : 'Never synced'}
      </Typography>
    );
  }
  const age = formatDuration(now.getTime() - Date.parse(lastSyncedAt));
  return (
    <Typography
      variant={variant}
      component="span"
      className={classes.stale}
      title={`Not confirmed in sync with the cluster since ${new Date(
        lastSyncedAt,
      ).toLocaleString()}`}
      data-testid="stale-age"
    >
      <WarningIcon className={classes.icon} aria-hidden />
      Data {age} old
    </Typography>
  );
}
