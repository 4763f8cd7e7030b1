import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { exampleClusters } from '@shipyard-platform/deployment-health-test-utils';
import { screen, within } from '@testing-library/react';
import { deploymentHealthApiRef } from '../../api';
import { mockDeploymentHealthApi } from '../../testing';
import { ClusterList } from './ClusterList';

jest.setTimeout(30_000);

const row = async (name: string) =>
  within(
    await screen.findByRole('row', { name: new RegExp(`^${name} `) }),
  ).getAllByRole('cell');

describe('ClusterList', () => {
  it('shows each cluster, its connection and the age of data no longer confirmed', async () => {
    const fiveMinutesAgo = new Date(Date.now() - 5 * 60_000).toISOString();
    const api = mockDeploymentHealthApi({
      clusters: {
        clusters: [
          ...exampleClusters.clusters,
          {
            name: 'frozen',
            title: 'Frozen (staging)',
            environment: 'staging',
            state: 'error',
            error: {
              type: 'timeout',
              message: 'no answer within 10 s (liveness check of /version)',
              since: fiveMinutesAgo,
            },
            lastSyncedAt: fiveMinutesAgo,
            stale: true,
          },
        ],
      },
    });
    await renderInTestApp(<ClusterList />, {
      apis: [[deploymentHealthApiRef, api]],
    });
    expect(
      await screen.findByRole('table', { name: 'Clusters' }),
    ).toBeVisible();

    const frozen = await row('Frozen \\(staging\\)');
    expect(frozen[1]).toHaveTextContent('staging');
    expect(frozen[2]).toHaveTextContent(
      'timeout: no answer within 10 s (liveness check of /version)',
    );
    expect(within(frozen[3]).getByTestId('stale-age')).toHaveTextContent(
      /Data 5 min old/,
    );

    const prod = await row('prod');
    expect(prod[2]).toHaveTextContent('Watching');
    expect(within(prod[3]).queryByTestId('stale-age')).toBeNull();
    expect(prod[3]).toHaveTextContent(/Last synced/);

    const dev = await row('dev');
    expect(dev[2]).toHaveTextContent('unreachable: connect ECONNREFUSED');
    expect(dev[3]).toHaveTextContent('Never synced');
  });

  it('shows nothing to a caller without the clusters permission', async () => {
    const api = mockDeploymentHealthApi({
      clusters: async () => {
        throw await ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: { name: 'NotAllowedError', message: 'Unauthorized' },
            }),
            { status: 403, headers: { 'content-type': 'application/json' } },
          ) as any,
        );
      },
    });
    await renderInTestApp(
      <>
        <ClusterList />
        <p>after</p>
      </>,
      { apis: [[deploymentHealthApiRef, api]] },
    );
    await screen.findByText('after');
    await new Promise(r => setTimeout(r, 200));
    expect(api.getClusters).toHaveBeenCalled();
    expect(screen.queryByRole('table', { name: 'Clusters' })).toBeNull();
    expect(screen.queryByText('Clusters')).toBeNull();
    expect(screen.queryByText(/Unauthorized/)).toBeNull();
  });
});
