import Box from '@material-ui/core/Box';
import CircularProgress from '@material-ui/core/CircularProgress';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import RefreshIcon from '@material-ui/icons/Refresh';
import { ReactNode } from 'react';
import { useNow, DEFAULT_REFRESH_INTERVAL_MS } from '../../hooks/usePolling';
import { formatAgo } from './format';

/**
 * One line that says how fresh the data is, shows a spinner while a
 * background refresh runs and offers a manual refresh.
 */
export function RefreshBar(props: {
  updatedAt?: Date;
  refreshing: boolean;
  onRefresh: () => void;
  intervalMs?: number;
  children?: ReactNode;
}) {
  const {
    updatedAt,
    refreshing,
    onRefresh,
    intervalMs = DEFAULT_REFRESH_INTERVAL_MS,
    children,
  } = props;
  const now = useNow(1000);
  return (
    <Box
      display="flex"
      alignItems="center"
      flexWrap="wrap"
      style={{ gap: 8 }}
      data-testid="deployment-health-refresh-bar"
    >
      {children}
      <Box flexGrow={1} />
      {/* Not a live region: it changes every second. */}
      <Typography variant="body2" color="textSecondary">
        {refreshing ? 'Refreshing…' : null}
        {!refreshing && updatedAt
          ? `Updated ${formatAgo(
              updatedAt,
              now,
            )} · auto-refresh every ${Math.round(intervalMs / 1000)} s`
          : null}
      </Typography>
      <Box width={20} display="flex" alignItems="center" aria-hidden="true">
        {refreshing ? <CircularProgress size={16} /> : null}
      </Box>
      {/* Never disabled while refreshing: that would steal keyboard focus. */}
      <Tooltip title="Refresh now">
        <span>
          <IconButton size="small" aria-label="Refresh now" onClick={onRefresh}>
            <RefreshIcon fontSize="small" />
          </IconButton>
        </span>
      </Tooltip>
    </Box>
  );
}
