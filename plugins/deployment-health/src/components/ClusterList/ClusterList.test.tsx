import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { clusterNodeHealth } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  exampleClusters,
  nodeFixtures,
} from '@shipyard-platform/deployment-health-test-utils';
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
    expect(within(frozen[4]).getByTestId('stale-age')).toHaveTextContent(
      /Data 5 min old/,
    );

    const prod = await row('prod');
    expect(prod[2]).toHaveTextContent('Watching');
    expect(within(prod[4]).queryByTestId('stale-age')).toBeNull();
    expect(prod[4]).toHaveTextContent(/Last synced/);

    const dev = await row('dev');
    expect(dev[2]).toHaveTextContent('unreachable: connect ECONNREFUSED');
    expect(dev[4]).toHaveTextContent('Never synced');
  });

  it("shows each cluster's health beside its connection, with the reasons naming the nodes", async () => {
    // the real rules on Nodes captured from a kwok cluster: node-1 NotReady,
    // node-2 under memory pressure, node-0 cordoned
    const sick = nodeFixtures['nodes-sick'];
    const health = clusterNodeHealth(
      'prod',
      { nodes: sick.nodes, controlPlaneVersion: sick.serverVersion },
      { now: new Date(new Date(sick.capturedAt).getTime() + 4 * 60_000) },
    );
    const api = mockDeploymentHealthApi({
      clusters: {
        clusters: [
          { ...exampleClusters.clusters[1], health },
          {
            name: 'blind',
            environment: 'staging',
            state: 'ok',
            health: clusterNodeHealth('blind', { nodesForbidden: true }),
          },
        ],
      },
    });
    await renderInTestApp(<ClusterList />, {
      apis: [[deploymentHealthApiRef, api]],
    });
    const prod = await row('prod');
    expect(prod[2]).toHaveTextContent('Watching');
    expect(prod[3]).toHaveTextContent('Degraded');
    expect(prod[3]).toHaveTextContent('2/3 nodes ready · API server v1.36.3');
    const reasons = within(prod[3]).getByRole('list', {
      name: 'Health reasons of prod',
    });
    expect(
      within(reasons)
        .getAllByRole('listitem')
        .map(li => li.textContent),
    ).toEqual([
      'DegradedNodeCordonedNode nodes-it-node-0: cordoned (no new pods are scheduled on it)',
      'DegradedNodeNotReadyNode nodes-it-node-1: NotReady for 4 min',
      'DegradedNodeMemoryPressureNode nodes-it-node-2: under memory pressure for 4 min',
    ]);
    const blind = await row('blind');
    expect(blind[2]).toHaveTextContent('Watching');
    expect(blind[3]).toHaveTextContent('Unknown');
    expect(blind[3]).toHaveTextContent(
      'NodesForbiddenCluster blind: the reader may not list/watch nodes (RBAC)',
    );
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
