import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { exampleGroupHealth } from '@shipyard-platform/deployment-health-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { deploymentHealthApiRef } from '../../api';
import { groupEntity, mockDeploymentHealthApi } from '../../testing';
import { GroupDeploymentsContent } from './GroupDeploymentsContent';

// The example team, plus a service that runs nowhere.
const groupHealth = {
  ...exampleGroupHealth,
  entities: [
    ...exampleGroupHealth.entities,
    {
      entityRef: 'component:default/fraud-scorer',
      status: 'Unknown' as const,
      reasons: [],
      clusters: [],
      owner: 'group:default/team-payments',
    },
  ],
};

async function renderGroup(
  api = mockDeploymentHealthApi({ group: groupHealth }),
) {
  await renderInTestApp(
    <EntityProvider entity={groupEntity}>
      <GroupDeploymentsContent />
    </EntityProvider>,
    {
      apis: [[deploymentHealthApiRef, api]],
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef as any,
      },
    },
  );
  return api;
}

function serviceNames() {
  return screen
    .getAllByTestId('service-row')
    .map(row => row.querySelector('th')?.textContent ?? '');
}

jest.setTimeout(30_000);

describe('GroupDeploymentsContent', () => {
  it('lists services × environments, problems first, not-deployed last', async () => {
    const api = await renderGroup();
    const table = await screen.findByRole('table', {
      name: 'Service health by environment',
    });
    expect(api.getGroupHealth).toHaveBeenCalledWith(
      { namespace: 'default', name: 'team-payments' },
      expect.objectContaining({ includeChildren: true }),
    );
    // columns: production before development
    const headers = within(table)
      .getAllByRole('columnheader')
      .map(h => h.textContent);
    expect(headers).toEqual([
      'Service',
      'Overall',
      'production',
      'development',
    ]);

    const names = serviceNames();
    expect(names[names.length - 1]).toMatch(/fraud-scorer/);
    expect(names.findIndex(n => /ledger-worker/.test(n))).toBeLessThan(
      names.findIndex(n => /payments-api/.test(n)),
    );

    const fraud = screen
      .getAllByTestId('service-row')
      .find(r => /fraud-scorer/.test(r.textContent ?? ''))!;
    expect(within(fraud).getAllByText('Not deployed').length).toBe(3);

    // The unreachable dev cluster is reported beside the data
    expect(screen.getByTestId('cluster-error')).toHaveTextContent(
      /Cluster unreachable: dev/,
    );
  });

  it("flags a service whose pods sit on a sick node, in that cluster's line only", async () => {
    // ledger-worker crash-loops in prod; one of its pods is also on a NotReady node
    const onSickNode = {
      status: 'Degraded' as const,
      code: 'NodeNotReady' as const,
      scope: 'node' as const,
      cluster: 'prod',
      object: { kind: 'Node', name: 'prod-node-1' },
      message: 'pod ledger-worker-1 on node prod-node-1: NotReady for 4 min',
    };
    const entities = groupHealth.entities.map(e =>
      /ledger-worker/.test(e.entityRef)
        ? {
            ...e,
            clusters: e.clusters.map(c =>
              c.cluster === 'prod'
                ? { ...c, reasons: [onSickNode, ...c.reasons] }
                : c,
            ),
          }
        : e,
    );
    await renderGroup(
      mockDeploymentHealthApi({ group: { ...groupHealth, entities } }),
    );
    await screen.findByRole('table', { name: 'Service health by environment' });
    const flags = screen.getAllByTestId('sick-node-flag');
    expect(flags).toHaveLength(1);
    expect(flags[0]).toHaveTextContent('on a sick node');
    expect(flags[0]).toHaveAttribute('title', onSickNode.message);
    const row = flags[0].closest('[data-testid="service-row"]');
    expect(row).toHaveTextContent(/ledger-worker/);
    // the crash loop stays the cell's headline: it is worse than the node's Degraded
    expect(row).toHaveTextContent(/CrashLoopBackOff/);
  });

  it('filters by status and environment', async () => {
    await renderGroup();
    await screen.findByRole('table', { name: 'Service health by environment' });
    const before = serviceNames().length;

    await userEvent.click(screen.getByTestId('status-filter-Failed'));
    expect(screen.getByTestId('status-filter-Failed')).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    const failed = serviceNames();
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(before);
    await userEvent.click(screen.getByTestId('status-filter-Failed'));
    expect(serviceNames().length).toBe(before);

    await userEvent.click(screen.getByLabelText('Environment'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'development' }),
    );
    const headers = within(
      screen.getByRole('table', { name: 'Service health by environment' }),
    )
      .getAllByRole('columnheader')
      .map(h => h.textContent);
    expect(headers).toEqual(['Service', 'Overall', 'development']);
  });

  it('shows the age of a stale cluster in the cluster list and in each of its cells', async () => {
    // prod froze: its last confirmed sync is long past the backend's limit
    const lastSyncedAt = new Date(Date.now() - 5 * 60_000).toISOString();
    const error = {
      type: 'timeout' as const,
      message: 'no response within 5s (liveness check of /version)',
      since: lastSyncedAt,
    };
    const staleProd = <T extends { environment: string }>(c: T) =>
      c.environment === 'production'
        ? { ...c, error, lastSyncedAt, stale: true }
        : c;
    await renderGroup(
      mockDeploymentHealthApi({
        group: {
          ...groupHealth,
          clusters: groupHealth.clusters.map(c =>
            c.name === 'prod' ? { ...staleProd(c), state: 'error' } : c,
          ),
          entities: groupHealth.entities.map(e => ({
            ...e,
            clusters: e.clusters.map(staleProd),
          })),
        },
      }),
    );
    await screen.findByRole('table', { name: 'Service health by environment' });
    const notice = screen
      .getAllByTestId('cluster-error')
      .find(n => /prod/.test(n.textContent ?? ''))!;
    expect(within(notice).getByTestId('stale-age')).toHaveTextContent(
      'Data 5 min old',
    );
    const payments = screen
      .getAllByTestId('service-row')
      .find(r => /payments-api/.test(r.textContent ?? ''))!;
    expect(within(payments).getByTestId('stale-age')).toHaveTextContent(
      'Data 5 min old',
    );
  });

  it('says when the team owns nothing', async () => {
    await renderGroup(
      mockDeploymentHealthApi({
        group: { ...exampleGroupHealth, entities: [], status: 'Unknown' },
      }),
    );
    expect(
      await screen.findByText('This team owns no components yet.'),
    ).toBeInTheDocument();
  });

  it('says when the clusters are being prepared instead of none configured', async () => {
    await renderGroup(
      mockDeploymentHealthApi({
        group: {
          ...groupHealth,
          clusters: [],
          preparing: { message: 'seeding the clusters', step: 11, steps: 12 },
        },
      }),
    );
    expect(
      await screen.findByText('Clusters are being prepared'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/step 11 of 12: seeding the clusters/),
    ).toBeInTheDocument();
    expect(
      screen.queryByText('No Kubernetes cluster configured'),
    ).not.toBeInTheDocument();
  });

  it('says how many components a capped team view left out', async () => {
    await renderGroup(
      mockDeploymentHealthApi({
        group: { ...groupHealth, componentsLeftOut: 201 },
      }),
    );
    expect(
      await screen.findByText(/201 more components of this team are not shown/),
    ).toBeInTheDocument();
  });
});
