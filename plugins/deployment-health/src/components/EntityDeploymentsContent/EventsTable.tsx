import { EventSummary } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { makeStyles } from '@material-ui/core/styles';
import { formatAgo } from '../common/format';

const useStyles = makeStyles(theme => ({
  table: {
    '& td, & th': { padding: theme.spacing(0.75, 1) },
    '& th': { whiteSpace: 'nowrap' },
  },
  nowrap: { whiteSpace: 'nowrap' },
  message: { overflowWrap: 'anywhere' },
}));

/** Recent Warning events, newest first (as the backend sends them). */
export function EventsTable(props: {
  events: EventSummary[];
  now: Date;
  label: string;
}) {
  const { events, now, label } = props;
  const classes = useStyles();
  return (
    <Table size="small" className={classes.table} aria-label={label}>
      <TableHead>
        <TableRow>
          <TableCell>Last seen</TableCell>
          <TableCell>Reason</TableCell>
          <TableCell>Object</TableCell>
          <TableCell>Message</TableCell>
          <TableCell align="right">Count</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {events.map((e, i) => (
          <TableRow
            key={`${e.involvedObject.kind}/${e.involvedObject.name}/${e.reason}/${i}`}
          >
            <TableCell title={e.lastTimestamp} className={classes.nowrap}>
              {formatAgo(e.lastTimestamp, now) ?? '—'}
            </TableCell>
            <TableCell>{e.reason}</TableCell>
            <TableCell>
              {e.involvedObject.kind} {e.involvedObject.name}
            </TableCell>
            <TableCell className={classes.message}>{e.message}</TableCell>
            <TableCell align="right">×{e.count}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
