import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  clusterHealth,
  entityHealth,
  GroupHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { deploymentHealthFixtures } from '@shipyard-platform/deployment-health-test-utils';
import { screen, within } from '@testing-library/react';
import { deploymentHealthApiRef } from '../../api';
import { groupEntity, mockDeploymentHealthApi } from '../../testing';
import { GroupDeploymentsContent } from './GroupDeploymentsContent';

const dev = { name: 'dev', environment: 'development' };
const prod = { name: 'prod', environment: 'production' };

const inCluster = (fixture: string, cluster: typeof dev) => {
  const f = deploymentHealthFixtures[fixture];
  return clusterHealth(cluster, f, {}, { now: new Date(f.capturedAt) });
};

// Real objects: orders-api stuck rolling out 0.14.0 → 0.14.1 in dev while
// prod runs 0.13.2; ledger-db held at a partition on 16.3 and 16.4 in dev.
const owner = 'group:default/team-payments';
const group: GroupHealthResponse = {
  groupRef: owner,
  groupRefs: [owner],
  status: 'Failed',
  entities: [
    {
      ...entityHealth('component:default/orders-api', [
        inCluster('dev-orders-api-rollout-stuck', dev),
        inCluster('prod-orders-api-behind', prod),
      ]),
      owner,
    },
    {
      ...entityHealth('component:default/ledger-db', [
        inCluster('dev-ledger-db-mixed', dev),
      ]),
      owner,
    },
  ],
  clusters: [
    { ...dev, state: 'ok' },
    { ...prod, state: 'ok' },
  ],
  generatedAt: '2026-12-07T21:50:00.000Z',
};

/** The text of the cell of `service` under the column of `environment`. */
function cell(service: string, environment: string): string {
  const table = screen.getByRole('table', {
    name: 'Service health by environment',
  });
  const headers = within(table)
    .getAllByRole('columnheader')
    .map(h => h.textContent);
  const row = within(table)
    .getAllByTestId('service-row')
    .find(r => r.querySelector('th')?.textContent?.includes(service))!;
  return row.querySelectorAll('th, td')[headers.indexOf(environment)]
    .textContent!;
}

jest.setTimeout(30_000);

describe('team view versions', () => {
  it('shows the version per environment and flags drift, rollouts and mixes', async () => {
    await renderInTestApp(
      <EntityProvider entity={groupEntity}>
        <GroupDeploymentsContent />
      </EntityProvider>,
      {
        apis: [[deploymentHealthApiRef, mockDeploymentHealthApi({ group })]],
        mountedRoutes: {
          '/catalog/:namespace/:kind/:name': entityRouteRef as any,
        },
      },
    );
    await screen.findByRole('table', { name: 'Service health by environment' });

    expect(cell('orders-api', 'production')).toContain('0.13.2');
    expect(cell('orders-api', 'production')).toContain(
      'behind development (0.14.1) since 2026-12-07 21:49 UTC',
    );
    expect(cell('orders-api', 'development')).toContain('0.14.1');
    expect(cell('orders-api', 'development')).toContain(
      'rollout stuck 0.14.0 → 0.14.1',
    );
    expect(cell('orders-api', 'development')).not.toContain('behind');

    expect(cell('ledger-db', 'development')).toContain(
      'mixed versions 16.3, 16.4',
    );
    expect(cell('ledger-db', 'production')).not.toMatch(/\d+\.\d+/);
  });
});
