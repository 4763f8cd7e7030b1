import { renderInTestApp } from '@backstage/frontend-test-utils';
import { clusterHealth } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  deploymentHealthFixtures,
  nodeFixtures,
} from '@shipyard-platform/deployment-health-test-utils';
import { screen, within } from '@testing-library/react';
import { ClusterSection } from './ClusterSection';

const dev = { name: 'dev', environment: 'development' };
const now = new Date();

function clusterReasons() {
  const list = screen.queryByRole('list', { name: /^Reasons for development/ });
  return list ? within(list).getAllByRole('listitem') : [];
}

jest.setTimeout(30_000);

describe('ClusterSection', () => {
  it("leads with the sick node a pod runs on, before the pods' symptoms", async () => {
    // the unready pod, placed on the captured NotReady kwok node
    const sick = nodeFixtures['nodes-sick'];
    const at = new Date(new Date(sick.capturedAt).getTime() + 4 * 60_000);
    const h = clusterHealth(
      dev,
      deploymentHealthFixtures['dev-notifications-unready'],
      { nodeOf: () => sick.nodes[1] },
      { now: at },
    );
    await renderInTestApp(<ClusterSection cluster={h} now={at} />);
    expect(clusterReasons()[0].textContent).toBe(
      'DegradedNodeNotReadypod notifications-b8c7bc685-vgks7 on node dev-node-0: NotReady for 4 minNode dev-node-0',
    );
  });

  it('shows a cluster still in its first sync as its own reason', async () => {
    const f = deploymentHealthFixtures['dev-payments-api-healthy'];
    await renderInTestApp(
      <ClusterSection
        cluster={clusterHealth(dev, f, { syncing: true })}
        now={now}
      />,
    );
    expect(clusterReasons().map(li => li.textContent)).toEqual([
      expect.stringContaining('ClusterSyncing'),
    ]);
  });

  it('leaves workload findings to the workload and the error to its notice', async () => {
    const unread = clusterHealth(
      dev,
      deploymentHealthFixtures['prod-ledger-worker-crashloop'],
      {
        error: {
          type: 'stale',
          message: 'no contact for 5 minutes',
          since: now.toISOString(),
        },
      },
    );
    await renderInTestApp(<ClusterSection cluster={unread} now={now} />);
    expect(unread.reasons.some(r => r.scope === 'cluster')).toBe(true);
    expect(unread.reasons.some(r => r.scope === 'workload')).toBe(true);
    expect(clusterReasons()).toEqual([]);
    expect(screen.getAllByText(/no contact for 5 minutes/).length).toBe(1);
  });

  it('leads with the age of data the backend calls stale, and otherwise says when it last synced', async () => {
    const f = deploymentHealthFixtures['prod-ledger-worker-crashloop'];
    const lastSyncedAt = new Date(now.getTime() - 150_000).toISOString();
    const frozen = {
      ...clusterHealth(dev, f, {
        error: {
          type: 'timeout' as const,
          message: 'no response within 5s (liveness check of /version)',
          since: now.toISOString(),
        },
      }),
      lastSyncedAt,
      stale: true,
    };
    const { unmount } = await renderInTestApp(
      <ClusterSection cluster={frozen} now={now} />,
    );
    // in the header and in the error notice, as a warning
    expect(screen.getAllByTestId('stale-age').map(e => e.textContent)).toEqual([
      'Data 2 min old',
      'Data 2 min old',
    ]);
    expect(screen.queryByText(/Last synced/)).toBeNull();
    unmount();

    await renderInTestApp(
      <ClusterSection
        cluster={{ ...clusterHealth(dev, f), lastSyncedAt }}
        now={now}
      />,
    );
    expect(screen.queryByTestId('stale-age')).toBeNull();
    expect(screen.getByText('Last synced 2 min ago')).toBeInTheDocument();
  });

  it('lists the findings of pods outside any workload', async () => {
    const f = deploymentHealthFixtures['prod-ledger-worker-crashloop'];
    // The same pods without their workloads: bare pods.
    const bare = clusterHealth(dev, { pods: f.pods });
    expect(bare.otherPods.length).toBeGreaterThan(0);
    await renderInTestApp(<ClusterSection cluster={bare} now={now} />);
    expect(clusterReasons().map(li => li.textContent)).toEqual([
      expect.stringContaining('CrashLoopBackOff'),
    ]);
  });
});
