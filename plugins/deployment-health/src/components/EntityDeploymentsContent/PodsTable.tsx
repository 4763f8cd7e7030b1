import {
  ContainerHealth,
  PodHealth,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import Box from '@material-ui/core/Box';
import Collapse from '@material-ui/core/Collapse';
import IconButton from '@material-ui/core/IconButton';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import KeyboardArrowDownIcon from '@material-ui/icons/KeyboardArrowDown';
import KeyboardArrowRightIcon from '@material-ui/icons/KeyboardArrowRight';
import { Fragment, useState } from 'react';
import { StatusChip } from '../common/StatusChip';
import { formatAge, formatAgo, splitImage } from '../common/format';

const useStyles = makeStyles(theme => ({
  table: {
    '& td, & th': { padding: theme.spacing(0.75, 1) },
    '& th': { whiteSpace: 'nowrap' },
  },
  mono: { fontFamily: 'monospace', fontSize: '0.85em', wordBreak: 'break-all' },
  detail: { backgroundColor: theme.palette.background.default },
  noBorder: { '& > td': { borderBottom: 'unset' } },
}));

/** The container that best explains the pod's state: not ready / waiting first. */
function worstContainer(pod: PodHealth): ContainerHealth | undefined {
  const main = pod.containers.filter(c => !c.init);
  return (
    main.find(c => c.state === 'waiting') ??
    main.find(c => c.state === 'terminated') ??
    main.find(c => !c.ready) ??
    [...main].sort((a, b) => b.restartCount - a.restartCount)[0] ??
    pod.containers[0]
  );
}

function lastTerminationText(c?: ContainerHealth, now?: Date) {
  const t = c?.lastTermination;
  if (!t || (!t.reason && t.exitCode === undefined)) return '—';
  const parts = [t.reason ?? 'Terminated'];
  if (t.exitCode !== undefined) parts.push(`exit ${t.exitCode}`);
  const ago = now ? formatAgo(t.finishedAt, now) : undefined;
  return ago ? `${parts.join(', ')} (${ago})` : parts.join(', ');
}

function stateText(c?: ContainerHealth) {
  if (!c) return '—';
  return c.reason ? `${c.state}: ${c.reason}` : c.state;
}

function ContainersDetail(props: { pod: PodHealth; now: Date }) {
  const { pod, now } = props;
  const classes = useStyles();
  return (
    <Box margin={1}>
      <Table
        size="small"
        className={classes.table}
        aria-label={`Containers of ${pod.name}`}
      >
        <TableHead>
          <TableRow>
            <TableCell>Container</TableCell>
            <TableCell>Image</TableCell>
            <TableCell>Ready</TableCell>
            <TableCell>State</TableCell>
            <TableCell align="right">Restarts</TableCell>
            <TableCell>Last termination</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {pod.containers.map(c => (
            <TableRow key={`${c.init ? 'init:' : ''}${c.name}`}>
              <TableCell>
                {c.name}
                {c.init ? ' (init)' : ''}
              </TableCell>
              <TableCell className={classes.mono} title={c.image}>
                {splitImage(c.image).tag}
              </TableCell>
              <TableCell>{c.ready ? 'Yes' : 'No'}</TableCell>
              <TableCell>
                {stateText(c)}
                {c.message ? (
                  <Typography
                    variant="caption"
                    display="block"
                    color="textSecondary"
                  >
                    {c.message}
                  </Typography>
                ) : null}
              </TableCell>
              <TableCell align="right">{c.restartCount}</TableCell>
              <TableCell>{lastTerminationText(c, now)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

/**
 * Pods of a workload, one row each; a row expands to its containers.
 * Expanded rows are kept by pod name, so they stay open across refreshes.
 */
export function PodsTable(props: {
  pods: PodHealth[];
  now: Date;
  label: string;
}) {
  const { pods, now, label } = props;
  const classes = useStyles();
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});

  if (pods.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No pods.
      </Typography>
    );
  }

  const toggle = (name: string) =>
    setExpanded(e => ({ ...e, [name]: !e[name] }));

  return (
    <Table size="small" className={classes.table} aria-label={label}>
      <TableHead>
        <TableRow>
          <TableCell padding="checkbox" />
          <TableCell>Pod</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Ready</TableCell>
          <TableCell>State / reason</TableCell>
          <TableCell align="right">Restarts</TableCell>
          <TableCell>Last termination</TableCell>
          <TableCell align="right">Age</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {pods.map(pod => {
          const open = Boolean(expanded[pod.name]);
          const main = pod.containers.filter(c => !c.init);
          const readyCount = main.filter(c => c.ready).length;
          const worst = worstContainer(pod);
          const withTermination = main.find(c => c.lastTermination?.reason);
          const detailId = `pod-detail-${pod.namespace}-${pod.name}`;
          return (
            <Fragment key={pod.name}>
              <TableRow className={classes.noBorder} data-testid="pod-row">
                <TableCell padding="checkbox">
                  <IconButton
                    size="small"
                    aria-label={`${open ? 'Hide' : 'Show'} containers of ${
                      pod.name
                    }`}
                    aria-expanded={open}
                    aria-controls={detailId}
                    onClick={() => toggle(pod.name)}
                  >
                    {open ? (
                      <KeyboardArrowDownIcon fontSize="small" />
                    ) : (
                      <KeyboardArrowRightIcon fontSize="small" />
                    )}
                  </IconButton>
                </TableCell>
                <TableCell className={classes.mono}>{pod.name}</TableCell>
                <TableCell>
                  <StatusChip status={pod.status} />
                </TableCell>
                <TableCell>
                  {readyCount}/{main.length}
                </TableCell>
                <TableCell>
                  {pod.phase}
                  {worst && (worst.reason || worst.state !== 'running')
                    ? ` · ${stateText(worst)}`
                    : ''}
                </TableCell>
                <TableCell align="right">{pod.restartCount}</TableCell>
                <TableCell>
                  {lastTerminationText(withTermination, now)}
                </TableCell>
                <TableCell align="right" title={pod.startedAt}>
                  {formatAge(pod.startedAt, now)}
                </TableCell>
              </TableRow>
              <TableRow>
                <TableCell
                  style={{ paddingBottom: 0, paddingTop: 0 }}
                  colSpan={8}
                  className={open ? classes.detail : undefined}
                >
                  <Collapse in={open} timeout="auto" unmountOnExit>
                    <div id={detailId}>
                      <ContainersDetail pod={pod} now={now} />
                    </div>
                  </Collapse>
                </TableCell>
              </TableRow>
            </Fragment>
          );
        })}
      </TableBody>
    </Table>
  );
}
