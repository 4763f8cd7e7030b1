import { parseEntityRef } from '@backstage/catalog-model';
import { identityApiRef, useApi } from '@backstage/frontend-plugin-api';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useCallback, useEffect, useState } from 'react';
import { deploymentHealthApiRef } from '../../api';
import { groupHealthChannel } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { useLiveRefresh } from '../../hooks/useLiveRefresh';
import { DataState } from '../common/DataState';
import { RefreshBar } from '../common/RefreshBar';
import { TeamDeploymentsMatrix } from './TeamDeploymentsMatrix';

const useStyles = makeStyles(theme => ({
  root: { display: 'flex', flexDirection: 'column', gap: theme.spacing(2) },
}));

/** Whether the signed-in user belongs to the group of this channel (undefined until known). */
function useMembership(channel: string): boolean | undefined {
  const identity = useApi(identityApiRef);
  const [member, setMember] = useState<boolean>();
  useEffect(() => {
    let active = true;
    identity
      .getBackstageIdentity()
      .then(({ ownershipEntityRefs }) => {
        if (active)
          setMember(
            ownershipEntityRefs.some(r => groupHealthChannel(r) === channel),
          );
      })
      .catch(() => {});
    return () => {
      active = false;
    };
  }, [identity, channel]);
  return member;
}

/**
 * The team view: every service a group owns × environment, refreshed
 * automatically.
 *
 * @public
 */
export function TeamDeploymentsView(props: {
  /** e.g. `group:default/team-payments` */
  groupRef: string;
  refreshIntervalMs?: number;
  /** Show the "include sub-teams" switch (default true). */
  showIncludeChildren?: boolean;
}) {
  const { groupRef, refreshIntervalMs, showIncludeChildren = true } = props;
  const classes = useStyles();
  const api = useApi(deploymentHealthApiRef);
  const [includeChildren, setIncludeChildren] = useState(true);
  const ref = parseEntityRef(groupRef, { defaultKind: 'group' });
  const key = `${ref.namespace}/${ref.name}?${includeChildren}`;
  const load = useCallback(
    (signal: AbortSignal) =>
      api.getGroupHealth(
        { namespace: ref.namespace, name: ref.name },
        { includeChildren, signal },
      ),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key],
  );
  // The backend announces a change to the owning team's channel and its
  // parent teams', so this group's channel covers its sub-teams too; it
  // sends them to the team's members (and the platform groups, which the
  // app does not know: they poll other teams' views).
  const channel = groupHealthChannel(`group:${ref.namespace}/${ref.name}`);
  const member = useMembership(channel);
  const receives = useCallback(() => member !== false, [member]);
  const state = useLiveRefresh(key, load, channel, refreshIntervalMs, receives);
  return (
    <div className={classes.root} data-testid="team-deployments">
      <RefreshBar
        state={state}
        intervalMs={refreshIntervalMs}
        mode={state.mode}
      >
        <Typography variant="h5" component="h2">
          Deployments of {ref.name}
        </Typography>
        {showIncludeChildren ? (
          <FormControlLabel
            control={
              <Checkbox
                color="primary"
                size="small"
                checked={includeChildren}
                onChange={e => setIncludeChildren(e.target.checked)}
              />
            }
            label="Include sub-teams"
          />
        ) : null}
      </RefreshBar>
      <DataState state={state}>
        {data => <TeamDeploymentsMatrix data={data} />}
      </DataState>
    </div>
  );
}
