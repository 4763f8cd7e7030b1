import { HealthStatus } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { useTheme } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import HelpIcon from '@material-ui/icons/Help';
import SyncIcon from '@material-ui/icons/Sync';
import WarningIcon from '@material-ui/icons/Warning';

/** A status icon with an accessible name (the status), for dense places. */
export function StatusIcon(props: { status: HealthStatus }) {
  const theme = useTheme();
  const s = (theme.palette as any).status ?? {};
  const { status } = props;
  const common = { fontSize: 'small' as const, titleAccess: status };
  switch (status) {
    case 'Healthy':
      return <CheckCircleIcon {...common} style={{ color: s.ok }} />;
    case 'Progressing':
      return <SyncIcon {...common} style={{ color: s.running }} />;
    case 'Degraded':
      return <WarningIcon {...common} style={{ color: s.warning }} />;
    case 'Failed':
      return <ErrorIcon {...common} style={{ color: s.error }} />;
    default:
      return <HelpIcon {...common} color="disabled" />;
  }
}
