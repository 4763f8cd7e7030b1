import { DeploymentState } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import Chip from '@material-ui/core/Chip';
import { makeStyles, Theme } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import HelpIcon from '@material-ui/icons/Help';
import RemoveCircleOutlineIcon from '@material-ui/icons/RemoveCircleOutline';
import SyncIcon from '@material-ui/icons/Sync';
import WarningIcon from '@material-ui/icons/Warning';

/** How each state is written; icons and text, never colour alone. */
export const STATE_LABELS: Record<DeploymentState, string> = {
  Healthy: 'Healthy',
  Progressing: 'Progressing',
  Degraded: 'Degraded',
  Failed: 'Failed',
  Unknown: 'Unknown',
  NotDeployed: 'Not deployed',
};

const ICONS: Record<DeploymentState, typeof CheckCircleIcon> = {
  Healthy: CheckCircleIcon,
  Progressing: SyncIcon,
  Degraded: WarningIcon,
  Failed: ErrorIcon,
  Unknown: HelpIcon,
  NotDeployed: RemoveCircleOutlineIcon,
};

function colorOf(theme: Theme, kind: DeploymentState): string {
  const status = (theme.palette as any).status ?? {};
  switch (kind) {
    case 'Healthy':
      return status.ok ?? theme.palette.success.main;
    case 'Progressing':
      return status.running ?? theme.palette.info.main;
    case 'Degraded':
      return status.warning ?? theme.palette.warning.main;
    case 'Failed':
      return status.error ?? theme.palette.error.main;
    default:
      return theme.palette.text.secondary;
  }
}

const useStyles = makeStyles<Theme, { kind: DeploymentState }>(theme => ({
  chip: ({ kind }) => ({
    color: theme.palette.text.primary,
    borderColor: colorOf(theme, kind),
    backgroundColor: 'transparent',
    fontWeight: 500,
  }),
  icon: ({ kind }) => ({
    color: `${colorOf(theme, kind)} !important`,
  }),
}));

/**
 * A health status: icon + text (never colour alone), outlined in the
 * status colour.
 */
export function StatusChip(props: {
  status: DeploymentState;
  /** Appended to the label, e.g. a cluster name. */
  suffix?: string;
  size?: 'small' | 'medium';
  title?: string;
}) {
  const { status, suffix, size = 'small', title } = props;
  const classes = useStyles({ kind: status });
  const Icon = ICONS[status] ?? HelpIcon;
  const label = suffix
    ? `${STATE_LABELS[status]} · ${suffix}`
    : STATE_LABELS[status];
  return (
    <Chip
      variant="outlined"
      size={size}
      className={classes.chip}
      icon={<Icon className={classes.icon} aria-hidden="true" />}
      label={label}
      title={title}
      data-status={status}
    />
  );
}
