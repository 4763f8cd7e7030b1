import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  clusterNodeHealth,
  ClustersResponse,
  DEFAULT_TENANCY_RULES,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { nodeFixtures } from '@shipyard-platform/deployment-health-test-utils';
import { screen, within } from '@testing-library/react';
import { deploymentHealthApiRef } from '../../api';
import { mockDeploymentHealthApi } from '../../testing';
import { ClustersPageContent } from './ClustersPage';

jest.setTimeout(30_000);

// the real rules on Nodes captured from a kwok cluster: node-1 NotReady,
// node-2 under memory pressure, node-0 cordoned; 3 × (8 cores, 32 GiB, 110 pods)
const sick = nodeFixtures['nodes-sick'];
const fourMinutesLater = new Date(
  new Date(sick.capturedAt).getTime() + 4 * 60_000,
);
/** A running pod of orders-api on node-0 that requests 1.5 cores and 2 GiB. */
const pod = {
  metadata: {
    name: 'orders-1',
    namespace: 'orders',
    labels: { 'backstage.io/kubernetes-id': 'orders-api' },
  },
  spec: {
    nodeName: 'nodes-it-node-0',
    containers: [
      {
        name: 'app',
        resources: { requests: { cpu: '1500m', memory: '2Gi' } },
      },
    ],
  },
  status: { phase: 'Running' },
};

async function renderWith(clusters: ClustersResponse['clusters']) {
  const api = mockDeploymentHealthApi({ clusters: { clusters } });
  await renderInTestApp(<ClustersPageContent refreshIntervalMs={0} />, {
    apis: [[deploymentHealthApiRef, api]],
  });
  return api;
}

describe('ClustersPageContent', () => {
  it('shows a platform reader each cluster: connection, health, nodes, capacity, versions and the sick nodes', async () => {
    await renderWith([
      {
        name: 'prod',
        environment: 'production',
        state: 'ok',
        lastSyncedAt: new Date().toISOString(),
        health: clusterNodeHealth(
          'prod',
          {
            nodes: sick.nodes,
            pods: [pod],
            controlPlaneVersion: sick.serverVersion,
            tenancy: {
              ...DEFAULT_TENANCY_RULES,
              teamNamespaces: { 'group:default/team-orders': ['orders'] },
            },
          },
          { now: fourMinutesLater },
        ),
      },
      {
        name: 'dev',
        environment: 'development',
        state: 'error',
        error: {
          type: 'unreachable',
          message: 'connect ECONNREFUSED 127.0.0.1:26443',
          since: new Date().toISOString(),
        },
        health: clusterNodeHealth('dev', {
          error: {
            type: 'unreachable',
            message: 'connect ECONNREFUSED 127.0.0.1:26443',
            since: new Date().toISOString(),
          },
        }),
      },
    ]);
    const prod = await screen.findByRole('region', { name: 'prod' });
    expect(prod).toHaveTextContent('Degraded');
    expect(prod).toHaveTextContent('Watching');
    expect(prod).toHaveTextContent(
      'Environment production · 2/3 nodes ready · API server v1.36.3 · kubelet kwok-0.8.0',
    );
    const bar = (name: string) =>
      within(prod).getByRole('progressbar', {
        name: `${name} requested of allocatable`,
      });
    expect(bar('CPU')).toHaveAttribute(
      'aria-valuetext',
      '1.5 of 24 cores requested (6%)',
    );
    expect(bar('Memory')).toHaveAttribute(
      'aria-valuetext',
      '2 of 96 GiB requested (2%)',
    );
    expect(bar('Pods')).toHaveAttribute(
      'aria-valuetext',
      '1 of 330 slots requested (0%)',
    );

    const nodes = within(prod).getByRole('table', {
      name: 'Sick nodes of prod',
    });
    const rows = within(nodes)
      .getAllByRole('row')
      .slice(1)
      .map(r =>
        within(r)
          .getAllByRole('cell')
          .filter((_, i) => i !== 4) // the findings, below
          .map(c => c.textContent),
      );
    expect(rows).toEqual([
      [
        'nodes-it-node-0',
        'Degraded',
        'True (cordoned)',
        'kwok-0.8.0',
        'orders-api (orders, team-orders)',
      ],
      ['nodes-it-node-1', 'Degraded', 'False', 'kwok-0.8.0', '—'],
      ['nodes-it-node-2', 'Degraded', 'True', 'kwok-0.8.0', '—'],
    ]);
    expect(
      within(prod).getByRole('list', {
        name: 'Findings of node nodes-it-node-1',
      }),
    ).toHaveTextContent('NodeNotReadyNode nodes-it-node-1: NotReady for 4 min');
    expect(
      within(prod).queryByText(/shown to the platform team only/),
    ).toBeNull();

    const dev = screen.getByRole('region', { name: 'dev' });
    expect(dev).toHaveTextContent('Unknown');
    expect(dev).toHaveTextContent(
      'unreachable: connect ECONNREFUSED 127.0.0.1:26443',
    );
    expect(within(dev).queryByRole('progressbar')).toBeNull();
  });

  it('shows a reader without the node details the status, nodes ready and folded findings, and says why there is no more', async () => {
    // GET /clusters without deployment-health.nodes.read (the backend's restrictNodeDetails)
    await renderWith([
      {
        name: 'prod',
        environment: 'production',
        state: 'ok',
        health: {
          status: 'Degraded',
          nodes: { ready: 2, total: 3 },
          nodeDetailsRestricted: true,
          reasons: [
            {
              status: 'Degraded',
              code: 'NodeNotReady',
              scope: 'node',
              cluster: 'prod',
              message:
                'NodeNotReady on 1 node; node details are restricted to the platform team',
            },
          ],
        },
      },
    ]);
    const prod = await screen.findByRole('region', { name: 'prod' });
    expect(prod).toHaveTextContent('Environment production · 2/3 nodes ready');
    expect(
      within(prod).getByRole('list', { name: 'Health reasons of prod' }),
    ).toHaveTextContent('NodeNotReady on 1 node');
    expect(within(prod).queryByRole('progressbar')).toBeNull();
    expect(within(prod).queryByRole('table')).toBeNull();
    expect(prod).toHaveTextContent(
      'Node names, versions and capacity are shown to the platform team only.',
    );
  });

  it('says so to a caller without the clusters permission', async () => {
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
    await renderInTestApp(<ClustersPageContent refreshIntervalMs={0} />, {
      apis: [[deploymentHealthApiRef, api]],
    });
    expect(
      await screen.findByText('Not allowed to read the clusters'),
    ).toBeInTheDocument();
  });
});
