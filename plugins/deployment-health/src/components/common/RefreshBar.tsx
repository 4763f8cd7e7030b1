import Box from '@material-ui/core/Box';
import CircularProgress from '@material-ui/core/CircularProgress';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import RefreshIcon from '@material-ui/icons/Refresh';
import { ReactNode } from 'react';
import {
  DEFAULT_REFRESH_INTERVAL_MS,
  PollingState,
  useNow,
} from '../../hooks/usePolling';
import { RefreshMode } from '../../hooks/useLiveRefresh';
import { formatAgo } from './format';

/** Said quietly when the page polls although it could be live. */
const POLLING_NOTE: Record<string, string> = {
  unavailable: 'live updates unavailable',
  lost: 'live updates disconnected',
  unsupported: 'no live updates for custom label selectors',
  'not-recipient': 'live updates for the owning team only',
};

/**
 * One line that says how fresh the data is, shows a spinner while a
 * background refresh runs and offers a manual refresh.
 */
export function RefreshBar(props: {
  state: Pick<PollingState<unknown>, 'updatedAt' | 'refreshing' | 'refresh'>;
  intervalMs?: number;
  /** How the data is kept current, when it may be live (signals). */
  mode?: RefreshMode;
  children?: ReactNode;
}) {
  const { intervalMs = DEFAULT_REFRESH_INTERVAL_MS, mode, children } = props;
  const { updatedAt, refreshing, refresh } = props.state;
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
          ? `Updated ${formatAgo(updatedAt, now)} · ${
              mode?.type === 'live'
                ? 'live'
                : `auto-refresh every ${Math.round(intervalMs / 1000)} s`
            }`
          : null}
        {!refreshing && updatedAt && mode?.type === 'polling' ? (
          <span data-testid="deployment-health-polling-note">
            {` (${POLLING_NOTE[mode.reason]})`}
          </span>
        ) : null}
      </Typography>
      <Box width={20} display="flex" alignItems="center" aria-hidden="true">
        {refreshing ? <CircularProgress size={16} /> : null}
      </Box>
      {/* Never disabled while refreshing: that would steal keyboard focus. */}
      <Tooltip title="Refresh now">
        <span>
          <IconButton size="small" aria-label="Refresh now" onClick={refresh}>
            <RefreshIcon fontSize="small" />
          </IconButton>
        </span>
      </Tooltip>
    </Box>
  );
}
