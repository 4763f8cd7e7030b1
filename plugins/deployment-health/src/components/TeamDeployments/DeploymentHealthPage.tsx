import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Page,
} from '@backstage/core-components';
import {
  parseEntityRef,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { identityApiRef, useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { ClusterList } from '../ClusterList';
import { TeamDeploymentsView } from './TeamDeploymentsView';

type TeamOption = { ref: string; label: string };

function readGroupParam(): string | undefined {
  if (typeof window === 'undefined') return undefined;
  return new URLSearchParams(window.location.search).get('group') ?? undefined;
}

function writeGroupParam(ref: string | undefined) {
  if (typeof window === 'undefined') return;
  const url = new URL(window.location.href);
  if (ref) url.searchParams.set('group', ref);
  else url.searchParams.delete('group');
  window.history.replaceState(window.history.state, '', url.toString());
}

/** Team picker + team view (the selection is kept in `?group=`), then the clusters. */
export function DeploymentHealthPageContent(props: {
  refreshIntervalMs?: number;
}) {
  const catalogApi = useApi(catalogApiRef);
  const identityApi = useApi(identityApiRef);
  const [selected, setSelected] = useState<string | undefined>(readGroupParam);

  const teams = useAsync(async (): Promise<TeamOption[]> => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: 'group' },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.profile.displayName',
      ],
    });
    return items
      .map(e => ({
        ref: stringifyEntityRef(e),
        label:
          (e.spec as any)?.profile?.displayName ??
          e.metadata.title ??
          e.metadata.name,
      }))
      .sort((a, b) => a.label.localeCompare(b.label));
  }, [catalogApi]);

  // Default to the signed-in user's own team: from the identity's ownership
  // refs, else from the user entity's memberOf relations.
  useEffect(() => {
    if (selected) return undefined;
    let cancelled = false;
    (async () => {
      const identity = await identityApi.getBackstageIdentity();
      let own = identity.ownershipEntityRefs.find(r => r.startsWith('group:'));
      if (!own) {
        // The guest identity is user:development/guest; catalogs usually
        // model it in the default namespace.
        const { name } = parseEntityRef(identity.userEntityRef);
        const user =
          (await catalogApi.getEntityByRef(identity.userEntityRef)) ??
          (await catalogApi.getEntityByRef(`user:default/${name}`));
        own = user?.relations?.find(
          r =>
            r.type === RELATION_MEMBER_OF && r.targetRef.startsWith('group:'),
        )?.targetRef;
      }
      if (!cancelled && own) setSelected(own);
    })().catch(() => {});
    return () => {
      cancelled = true;
    };
  }, [identityApi, catalogApi, selected]);

  useEffect(() => writeGroupParam(selected), [selected]);

  const options = teams.value ?? [];
  const value =
    options.find(o => o.ref === selected) ??
    (selected ? { ref: selected, label: selected } : null);

  return (
    <>
      <ContentHeader title="Team deployments">
        <Autocomplete<TeamOption>
          style={{ width: 320 }}
          options={options}
          loading={teams.loading}
          value={value}
          getOptionLabel={o => o.label}
          getOptionSelected={(o, v) => o.ref === v.ref}
          onChange={(_e, v) => setSelected(v?.ref)}
          renderInput={params => (
            <TextField
              {...params}
              label="Team"
              variant="outlined"
              size="small"
              placeholder="Pick a team"
            />
          )}
        />
      </ContentHeader>
      {selected ? (
        <TeamDeploymentsView
          groupRef={selected}
          refreshIntervalMs={props.refreshIntervalMs}
        />
      ) : (
        <EmptyState
          missing="info"
          title="Pick a team"
          description="Choose a team above to see every service it owns, in every environment."
        />
      )}
      <Box mt={4}>
        <ClusterList refreshIntervalMs={props.refreshIntervalMs} />
      </Box>
    </>
  );
}

/**
 * Props of the standalone team view page.
 *
 * @public
 */
export interface DeploymentHealthPageProps {
  /** Auto-refresh interval in ms (default 10 000; 0 disables). */
  refreshIntervalMs?: number;
}

/**
 * Standalone team view page (legacy frontend system: includes its header).
 *
 * @public
 */
export function DeploymentHealthPage(props: DeploymentHealthPageProps) {
  return (
    <Page themeId="tool">
      <Header
        title="Deployment health"
        subtitle="Is every service of my team OK, everywhere?"
      />
      <Content>
        <DeploymentHealthPageContent {...props} />
      </Content>
    </Page>
  );
}
