import {
  exampleClusters,
  exampleFailedEntity,
} from '@shipyard-platform/deployment-health-test-utils';
import { screen } from '@testing-library/react';
import { renderForEntity } from '../../__testUtils__/renderForEntity';
import { componentEntity, mockDeploymentHealthApi } from '../../testing';
import { EntityDeploymentsCard } from './EntityDeploymentsCard';

jest.setTimeout(30_000);

describe('EntityDeploymentsCard', () => {
  it('summarises each environment', async () => {
    const api = mockDeploymentHealthApi({
      entity: exampleFailedEntity,
      clusters: exampleClusters,
    });
    await renderForEntity(
      <EntityDeploymentsCard />,
      componentEntity('ledger-worker'),
      api,
    );
    const list = await screen.findByRole('list', {
      name: 'Deployments by environment',
    });
    expect(list).toHaveTextContent(/production · prod · \d+\/\d+ ready/);
    expect(list).toHaveTextContent(/ECONNREFUSED/);
    expect(screen.getAllByText('Failed').length).toBeGreaterThan(0);
  });
});
