import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  deploymentRollouts,
  EntityTimelineResponse,
  TimelineEntry,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { deploymentHealthFixtures } from '@shipyard-platform/deployment-health-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { deploymentHealthApiRef } from '../../api';
import { mockDeploymentHealthApi } from '../../testing';
import { TimelineBlock } from './TimelineBlock';

jest.setTimeout(30_000);

// The captured orders-api rollout that got stuck (0.14.0 → 0.14.1, its
// ReplicaSet created 21:49:04), as the backend records it in dev; the
// service became Failed 40 s later; prod had a transition of its own.
const f = deploymentHealthFixtures['dev-orders-api-rollout-stuck'];
const [rollout] = deploymentRollouts(f.deployments![0], f.replicaSets as any);
const entries: TimelineEntry[] = [
  {
    id: '3',
    cluster: 'prod',
    environment: 'production',
    namespace: 'orders',
    at: '2026-12-07T21:50:00.000Z',
    type: 'transition',
    transition: { from: 'Healthy', to: 'Degraded', reasons: [] },
  },
  {
    id: '4',
    cluster: 'prod',
    environment: 'production',
    namespace: 'orders',
    at: '2026-12-07T21:49:50.000Z',
    type: 'scale',
    scale: {
      hpa: { name: 'orders-api', uid: 'h' },
      target: { kind: 'Deployment', name: 'orders-api' },
      from: 2,
      to: 4,
      minReplicas: 2,
      maxReplicas: 4,
    },
  },
  {
    id: '2',
    cluster: 'dev',
    environment: 'development',
    namespace: 'orders',
    at: '2026-12-07T21:49:44.000Z',
    type: 'transition',
    transition: {
      from: 'Healthy',
      to: 'Failed',
      reasons: [
        {
          status: 'Failed',
          code: 'ImagePullBackOff',
          scope: 'pod',
          message: 'orders-api-57765d9d7c-x: cannot pull 0.14.1',
        },
      ],
    },
  },
  {
    id: '1',
    cluster: 'dev',
    environment: 'development',
    namespace: 'orders',
    at: rollout.startedAt!,
    type: 'rollout',
    rollout,
  },
];
const timeline: EntityTimelineResponse = {
  entityRef: 'component:default/orders-api',
  entries,
};
const ref = { kind: 'Component', namespace: 'default', name: 'orders-api' };

describe('TimelineBlock', () => {
  it('lists changes newest first, a failure linked to the rollout before it, filterable by environment', async () => {
    const api = mockDeploymentHealthApi({ timeline });
    await renderInTestApp(<TimelineBlock entityRef={ref} />, {
      apis: [[deploymentHealthApiRef, api]],
    });
    const section = await screen.findByRole('region', {
      name: 'Recent changes',
    });
    const rows = await within(section).findAllByTestId('timeline-entry');
    expect(rows.map(r => r.textContent)).toEqual([
      expect.stringMatching(/production.*Became Degraded \(was Healthy\)/),
      expect.stringMatching(
        /production.*Autoscaler orders-api scaled Deployment orders-api from 2 to 4 replicas \(its maximum\)/,
      ),
      expect.stringMatching(
        /development.*Became Failed 40 s after rollout 0\.14\.0 → 0\.14\.1 \(was Healthy\)/,
      ),
      expect.stringMatching(
        /development.*Rollout 0\.14\.0 → 0\.14\.1 of orders-api \(revision 2\): stuck/,
      ),
    ]);
    // the link leads to the rollout's entry
    const link = within(rows[2]).getByRole('link', {
      name: 'rollout 0.14.0 → 0.14.1',
    });
    expect(link.getAttribute('href')).toBe(`#${rows[3].id}`);
    expect(api.getEntityTimeline).toHaveBeenCalledWith(ref, expect.anything());

    await userEvent.click(
      within(section).getByRole('button', { name: /all environments/i }),
    );
    await userEvent.click(
      await screen.findByRole('option', { name: 'development' }),
    );
    expect(
      within(section)
        .getAllByTestId('timeline-entry')
        .map(r => r.textContent?.includes('development')),
    ).toEqual([true, true]);
  });

  it('is not shown when the backend has no timeline (404)', async () => {
    const api = mockDeploymentHealthApi({
      timeline: () =>
        Promise.reject(
          Object.assign(new Error('switched off'), { statusCode: 404 }),
        ),
    });
    await renderInTestApp(<TimelineBlock entityRef={ref} />, {
      apis: [[deploymentHealthApiRef, api]],
    });
    await waitFor(() => expect(api.getEntityTimeline).toHaveBeenCalled());
    await new Promise(r => setTimeout(r, 50));
    expect(
      screen.queryByRole('region', { name: 'Recent changes' }),
    ).not.toBeInTheDocument();
  });

  it('says why there is no timeline, and fails on its own', async () => {
    const api = mockDeploymentHealthApi({
      timeline: () => Promise.reject(new Error('database down')),
    });
    await renderInTestApp(<TimelineBlock entityRef={ref} />, {
      apis: [[deploymentHealthApiRef, api]],
    });
    expect(
      await screen.findByText(/timeline could not be read: database down/),
    ).toBeInTheDocument();
  });
});
