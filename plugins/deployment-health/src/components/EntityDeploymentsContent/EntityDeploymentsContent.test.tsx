import {
  exampleClusters,
  exampleFailedEntity,
  exampleHealthyEntity,
} from '@shipyard-platform/deployment-health-test-utils';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderForEntity } from '../../__testUtils__/renderForEntity';
import { componentEntity, mockDeploymentHealthApi } from '../../testing';
import { EntityDeploymentsContent } from './EntityDeploymentsContent';

const okClusters = {
  clusters: exampleClusters.clusters.map(c => ({
    ...c,
    state: 'ok' as const,
    error: undefined,
  })),
};

function renderContent(
  api: ReturnType<typeof mockDeploymentHealthApi>,
  entity = componentEntity('catalog-api'),
  refreshIntervalMs?: number,
) {
  return renderForEntity(
    <EntityDeploymentsContent refreshIntervalMs={refreshIntervalMs} />,
    entity,
    api,
  );
}

jest.setTimeout(30_000);

describe('EntityDeploymentsContent', () => {
  it('shows a healthy service: status, rollout, pods', async () => {
    const api = mockDeploymentHealthApi({
      entity: exampleHealthyEntity,
      clusters: okClusters,
    });
    await renderContent(api);

    const section = await screen.findByRole('region', {
      name: /^production\b/i,
    });
    expect(within(section).getAllByText('Healthy').length).toBeGreaterThan(0);
    expect(within(section).getByText(/Last synced/)).toBeInTheDocument();
    expect(within(section).getByText('Rollout complete')).toBeInTheDocument();
    const pods = within(section).getByRole('table', { name: /Pods of/ });
    expect(within(pods).getAllByTestId('pod-row').length).toBeGreaterThan(0);
    expect(api.getEntityHealth).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'catalog-api' },
      expect.anything(),
    );
  });

  it('shows a failing service with reasons, container state and the cluster error', async () => {
    const api = mockDeploymentHealthApi({
      entity: exampleFailedEntity,
      clusters: exampleClusters,
    });
    await renderContent(api, componentEntity('ledger-worker'));

    const prod = await screen.findByRole('region', {
      name: /^production\b/i,
    });
    expect(within(prod).getAllByText('Failed').length).toBeGreaterThan(0);
    expect(
      within(prod).getAllByText(/CrashLoopBackOff/).length,
    ).toBeGreaterThan(0);

    // Per-cluster error, with a text title (not only colour)
    const dev = screen.getByRole('region', { name: /^development\b/i });
    expect(within(dev).getByTestId('cluster-error')).toHaveTextContent(
      /Cluster unreachable: dev/,
    );
    expect(within(dev).getByText(/ECONNREFUSED/)).toBeInTheDocument();
  });

  it('keeps expanded rows open across auto-refresh', async () => {
    jest.useFakeTimers();
    try {
      const api = mockDeploymentHealthApi({
        entity: () => exampleFailedEntity,
        clusters: exampleClusters,
      });
      await renderContent(api, componentEntity('ledger-worker'), 10_000);
      const prod = await screen.findByRole('region', {
        name: /^production\b/i,
      });
      const [expand] = within(prod).getAllByRole('button', {
        name: /Show containers of/,
      });
      await act(async () => {
        expand.click();
      });
      expect(
        within(prod).getByRole('table', { name: /Containers of/ }),
      ).toBeInTheDocument();

      const calls = api.getEntityHealth.mock.calls.length;
      await act(async () => {
        jest.advanceTimersByTime(10_500);
      });
      await waitFor(() =>
        expect(api.getEntityHealth.mock.calls.length).toBeGreaterThan(calls),
      );
      expect(
        within(
          screen.getByRole('region', { name: /^production\b/i }),
        ).getByRole('table', { name: /Containers of/ }),
      ).toBeInTheDocument();
    } finally {
      jest.useRealTimers();
    }
  });

  it('tells the user which annotation to add', async () => {
    const api = mockDeploymentHealthApi({});
    await renderContent(api, componentEntity('payments-api', false));
    expect(
      await screen.findByText('No Kubernetes annotation on this entity'),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/backstage.io\/kubernetes-id: payments-api/).length,
    ).toBeGreaterThan(0);
    expect(api.getEntityHealth).not.toHaveBeenCalled();
  });

  it.each([
    [
      'no cluster is configured',
      { clusters: [] },
      'No Kubernetes cluster configured',
    ],
    [
      'clusters are being prepared',
      {
        clusters: [],
        preparing: { message: 'building kube-apiserver', step: 2, steps: 11 },
      },
      /step 2 of 11: building kube-apiserver/,
    ],
    ['the service is not deployed', okClusters, 'Not deployed to any cluster'],
  ])('says when %s', async (_when, clusters, message) => {
    const api = mockDeploymentHealthApi({
      entity: {
        ...exampleHealthyEntity,
        clusters: [],
        status: 'Unknown',
        reasons: [],
      },
      clusters,
    });
    await renderContent(api);
    expect(await screen.findByText(message)).toBeInTheDocument();
  });

  it('says why a service was not read (a refused annotation), not that it is not deployed', async () => {
    const message =
      'Invalid annotation backstage.io/kubernetes-label-selector: "!x" only excludes labels';
    const api = mockDeploymentHealthApi({
      entity: {
        ...exampleHealthyEntity,
        clusters: [],
        status: 'Unknown',
        reasons: [
          {
            status: 'Unknown',
            code: 'AnnotationRefused',
            scope: 'service',
            annotation: 'backstage.io/kubernetes-label-selector',
            message,
          },
        ],
      },
      clusters: okClusters,
    });
    await renderContent(api);
    expect(
      await screen.findByText('Not read: AnnotationRefused'),
    ).toBeInTheDocument();
    expect(screen.getByText(message)).toBeInTheDocument();
    expect(screen.queryByText('Not deployed to any cluster')).toBeNull();
  });

  it('says when pod details are for the owning team only', async () => {
    const api = mockDeploymentHealthApi({
      entity: { ...exampleHealthyEntity, detailsRestricted: true },
      clusters: okClusters,
    });
    await renderContent(api);
    expect(
      await screen.findByText(
        /shown to the owning team and the platform groups only/,
      ),
    ).toBeInTheDocument();
  });

  it('shows the error when the backend fails, and recovers on refresh', async () => {
    let fail = true;
    const api = mockDeploymentHealthApi({
      entity: () => {
        if (fail) throw new Error('Service Unavailable');
        return exampleHealthyEntity;
      },
      clusters: okClusters,
    });
    await renderContent(api);
    expect(
      (await screen.findAllByText(/Service Unavailable/)).length,
    ).toBeGreaterThan(0);
    fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Refresh now' }));
    expect(
      await screen.findByRole('region', { name: /^production\b/i }),
    ).toBeInTheDocument();
  });
});
