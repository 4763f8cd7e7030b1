import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  clusterHealth,
  entityHealth,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { deploymentHealthFixtures } from '@shipyard-platform/deployment-health-test-utils';
import { screen, within } from '@testing-library/react';
import { VersionsSummary } from './VersionsSummary';
import { WorkloadPanel } from './WorkloadPanel';

const inCluster = (fixture: string, name: string, environment: string) => {
  const f = deploymentHealthFixtures[fixture];
  return clusterHealth(
    { name, environment },
    f,
    {},
    { now: new Date(f.capturedAt) },
  );
};

jest.setTimeout(30_000);

describe('versions on the service tab', () => {
  it('lists each environment, production first, with its drift', async () => {
    const e = entityHealth('component:default/orders-api', [
      inCluster('dev-orders-api-healthy', 'dev', 'development'),
      inCluster('prod-orders-api-behind', 'prod', 'production'),
    ]);
    await renderInTestApp(<VersionsSummary versions={e.versions!} />);
    const section = screen.getByRole('region', {
      name: 'Versions by environment',
    });
    const lines = within(section)
      .getAllByTestId('environment-version')
      .map(l => l.textContent);
    expect(lines).toEqual([
      '0.13.2behind development (0.14.0) since 2026-12-07 21:48 UTC',
      '0.14.0',
    ]);
  });

  it("shows a workload's version, chart, release and running digests", async () => {
    const [w] = inCluster(
      'dev-orders-api-healthy',
      'dev',
      'development',
    ).workloads;
    await renderInTestApp(
      <WorkloadPanel workload={w} now={new Date()} clusterLabel="dev" />,
    );
    const facts = screen.getByLabelText('Version');
    expect(facts).toHaveTextContent('0.14.0 · since 2026-12-07 21:48 UTC');
    expect(facts).toHaveTextContent(
      'Chart orders-api 1.4.0 · app version 0.14.0 · Helm release orders',
    );
    expect(facts).toHaveTextContent('orders-api: sha256:000000000000');
  });

  it('without version labels: the image says the version, the chart is unknown', async () => {
    const [w] = inCluster(
      'dev-plain-worker-unlabeled',
      'dev',
      'development',
    ).workloads;
    await renderInTestApp(
      <WorkloadPanel workload={w} now={new Date()} clusterLabel="dev" />,
    );
    const facts = screen.getByLabelText('Version');
    expect(facts).toHaveTextContent('sha256:4f1c2a9e0b7d');
    expect(facts).toHaveTextContent('Chart version unknown');
  });

  it('a mixed StatefulSet says how many pods run which version', async () => {
    const [w] = inCluster(
      'dev-ledger-db-mixed',
      'dev',
      'development',
    ).workloads;
    await renderInTestApp(
      <WorkloadPanel workload={w} now={new Date()} clusterLabel="dev" />,
    );
    expect(screen.getByLabelText('Version')).toHaveTextContent(
      'mixed versions 16.3 (2), 16.4 (1)',
    );
  });
});
