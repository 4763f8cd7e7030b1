import { parseEntityRef } from '@backstage/catalog-model';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  ClusterHealth,
  EntityHealth,
  compareWorstFirst,
  DEPLOYMENT_STATES,
  DeploymentState,
  deploymentStateOf,
  GroupHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import Box from '@material-ui/core/Box';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
import Select from '@material-ui/core/Select';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ToggleButton from '@material-ui/lab/ToggleButton';
import { useMemo, useState } from 'react';
import { useNow } from '../../hooks/usePolling';
import {
  ClusterErrorNotice,
  ComponentsLeftOutNotice,
  NoClustersState,
} from '../common/EmptyStates';
import { STATE_LABELS, StatusChip } from '../common/StatusChip';
import { StatusIcon } from '../common/StatusIcon';
import { EnvCell } from './EnvCell';
import { compareEnvironments } from '../common/environments';

const useStyles = makeStyles(theme => ({
  root: { display: 'flex', flexDirection: 'column', gap: theme.spacing(2) },
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1.5),
  },
  toggle: {
    textTransform: 'none',
    padding: theme.spacing(0.25, 1.25),
    gap: theme.spacing(0.75),
    color: theme.palette.text.primary,
  },
  table: {
    '& td, & th': { padding: theme.spacing(1) },
    '& th': { whiteSpace: 'nowrap' },
  },
  muted: { color: theme.palette.text.secondary },
  env: { textTransform: 'capitalize' },
}));

/** Status filters in the order the table sorts by: worst first. */
const FILTER_ORDER = [...DEPLOYMENT_STATES].reverse();

type Row = {
  entity: EntityHealth & { owner: string };
  status: DeploymentState;
  byEnv: Map<string, ClusterHealth[]>;
};

/** Matrix of a team's services × environments. */
export function TeamDeploymentsMatrix(props: { data: GroupHealthResponse }) {
  const { data } = props;
  const classes = useStyles();
  const now = useNow(5000);
  const [statusFilter, setStatusFilter] = useState<Set<DeploymentState>>(
    new Set(),
  );
  const [envFilter, setEnvFilter] = useState<string>('');
  const [search, setSearch] = useState('');

  const environments = useMemo(() => {
    const envs = new Set<string>();
    data.clusters.forEach(c => envs.add(c.environment));
    data.entities.forEach(e =>
      e.clusters.forEach(c => envs.add(c.environment)),
    );
    return [...envs].sort(compareEnvironments);
  }, [data]);

  const shownEnvs = envFilter
    ? environments.filter(e => e === envFilter)
    : environments;

  const rows: Row[] = useMemo(
    () =>
      data.entities.map(entity => {
        const byEnv = new Map<string, ClusterHealth[]>();
        for (const c of entity.clusters) {
          byEnv.set(c.environment, [...(byEnv.get(c.environment) ?? []), c]);
        }
        const inScope = envFilter
          ? byEnv.get(envFilter) ?? []
          : entity.clusters;
        const status = deploymentStateOf(inScope);
        return { entity, status, byEnv };
      }),
    [data, envFilter],
  );

  const counts = useMemo(() => {
    const m = new Map<DeploymentState, number>();
    rows.forEach(r => m.set(r.status, (m.get(r.status) ?? 0) + 1));
    return m;
  }, [rows]);

  const q = search.trim().toLocaleLowerCase('en-US');
  const visible = rows
    .filter(r => statusFilter.size === 0 || statusFilter.has(r.status))
    .filter(
      r =>
        !q ||
        r.entity.entityRef.toLocaleLowerCase('en-US').includes(q) ||
        (r.entity.title ?? '').toLocaleLowerCase('en-US').includes(q),
    )
    .sort(
      (a, b) =>
        compareWorstFirst(a.status, b.status) ||
        a.entity.entityRef.localeCompare(b.entity.entityRef),
    );

  const toggleStatus = (s: DeploymentState) =>
    setStatusFilter(prev => {
      const next = new Set(prev);
      if (next.has(s)) next.delete(s);
      else next.add(s);
      return next;
    });

  const showOwner = data.groupRefs.length > 1;
  const clusterErrors = data.clusters.filter(
    c => c.state === 'error' && c.error,
  );

  return (
    <div className={classes.root}>
      {data.clusters.length === 0 ? (
        <NoClustersState preparing={data.preparing} />
      ) : null}
      {data.componentsLeftOut ? (
        <ComponentsLeftOutNotice leftOut={data.componentsLeftOut} />
      ) : null}
      {clusterErrors.map(c => (
        <ClusterErrorNotice
          key={c.name}
          cluster={`${c.title ?? c.name} (${c.environment})`}
          error={c.error!}
          lastSyncedAt={c.lastSyncedAt}
          stale={c.stale}
          now={now}
        />
      ))}
      <div
        className={classes.filters}
        role="group"
        aria-label="Filter services by status"
      >
        <Typography variant="body2">
          {data.entities.length} service{data.entities.length === 1 ? '' : 's'}:
        </Typography>
        {FILTER_ORDER.filter(s => counts.get(s)).map(s => (
          <ToggleButton
            key={s}
            size="small"
            value={s}
            selected={statusFilter.has(s)}
            aria-pressed={statusFilter.has(s)}
            onChange={() => toggleStatus(s)}
            className={classes.toggle}
            data-testid={`status-filter-${s}`}
          >
            {s === 'NotDeployed' ? null : <StatusIcon status={s} />}
            {counts.get(s)} {STATE_LABELS[s]}
          </ToggleButton>
        ))}
        <Box flexGrow={1} />
        <FormControl size="small" variant="outlined" style={{ minWidth: 180 }}>
          <InputLabel id="dh-env-filter-label">Environment</InputLabel>
          <Select
            labelId="dh-env-filter-label"
            label="Environment"
            value={envFilter}
            onChange={e => setEnvFilter(String(e.target.value))}
          >
            <MenuItem value="">All environments</MenuItem>
            {environments.map(e => (
              <MenuItem key={e} value={e}>
                {e}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <TextField
          size="small"
          variant="outlined"
          label="Search services"
          value={search}
          onChange={e => setSearch(e.target.value)}
        />
      </div>
      <TableContainer component={Paper} variant="outlined">
        <Table
          className={classes.table}
          aria-label="Service health by environment"
        >
          <TableHead>
            <TableRow>
              <TableCell>Service</TableCell>
              <TableCell>Overall</TableCell>
              {shownEnvs.map(e => (
                <TableCell key={e} className={classes.env}>
                  {e}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {visible.length === 0 ? (
              <TableRow>
                <TableCell colSpan={2 + shownEnvs.length}>
                  <Typography variant="body2" className={classes.muted}>
                    {data.entities.length === 0
                      ? 'This team owns no components yet.'
                      : 'No service matches the filters.'}
                  </Typography>
                </TableCell>
              </TableRow>
            ) : null}
            {visible.map(r => (
              <TableRow key={r.entity.entityRef} data-testid="service-row">
                <TableCell component="th" scope="row">
                  <EntityRefLink
                    entityRef={parseEntityRef(r.entity.entityRef)}
                    defaultKind="component"
                    title={r.entity.title}
                  />
                  {showOwner ? (
                    <Typography
                      variant="caption"
                      display="block"
                      className={classes.muted}
                    >
                      {parseEntityRef(r.entity.owner).name}
                    </Typography>
                  ) : null}
                </TableCell>
                <TableCell>
                  <StatusChip status={r.status} />
                </TableCell>
                {shownEnvs.map(e => (
                  <TableCell key={e}>
                    <EnvCell
                      clusters={r.byEnv.get(e)}
                      now={now}
                      versions={r.entity.versions?.environments.find(
                        v => v.environment === e,
                      )}
                      drift={r.entity.versions?.drift.filter(
                        d => d.environment === e,
                      )}
                    />
                  </TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </div>
  );
}
