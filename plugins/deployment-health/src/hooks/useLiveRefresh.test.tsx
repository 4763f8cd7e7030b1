import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { identityApiRef } from '@backstage/frontend-plugin-api';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import {
  exampleClusters,
  exampleGroupHealth,
  exampleHealthyEntity,
} from '@shipyard-platform/deployment-health-test-utils';
import { act, screen, waitFor } from '@testing-library/react';
import { deploymentHealthApiRef } from '../api';
import { EntityDeploymentsContent } from '../components/EntityDeploymentsContent';
import { GroupDeploymentsContent } from '../components/TeamDeployments';
import {
  componentEntity,
  groupEntity,
  mockDeploymentHealthApi,
} from '../testing';

/**
 * The app's signals API as the signals plugin's client offers it (subscribe
 * per channel), with `send` standing in for a message from the backend.
 */
class TestSignalApi implements SignalApi {
  private readonly subscribers = new Map<string, Set<(m: any) => void>>();
  subscribe(channel: string, onMessage: (message: any) => void) {
    let set = this.subscribers.get(channel);
    if (!set) this.subscribers.set(channel, (set = new Set()));
    set.add(onMessage);
    return { unsubscribe: () => set!.delete(onMessage) };
  }
  send(channel: string, message: object) {
    act(() => {
      for (const s of this.subscribers.get(channel) ?? []) s({ ...message });
    });
  }
}

const ENTITY_CHANNEL = 'deployment-health:entity:component:default/catalog-api';
const GROUP_CHANNEL = 'deployment-health:group:group:default/team-payments';

// Short, so that a test would see polling if there were any.
const INTERVAL_MS = 200;
const sleep = (ms: number) =>
  act(() => new Promise<void>(r => setTimeout(r, ms)));

function renderEntity(signals?: SignalApi, entity = exampleHealthyEntity) {
  const api = mockDeploymentHealthApi({
    entity,
    clusters: exampleClusters,
  });
  const element = (
    <EntityProvider entity={componentEntity('catalog-api')}>
      <EntityDeploymentsContent refreshIntervalMs={INTERVAL_MS} />
    </EntityProvider>
  );
  const rendered = signals
    ? renderInTestApp(element, {
        apis: [
          [deploymentHealthApiRef, api],
          [signalApiRef, signals],
        ],
      })
    : renderInTestApp(element, { apis: [[deploymentHealthApiRef, api]] });
  return { api, rendered };
}

jest.setTimeout(30_000);

describe('live refresh', () => {
  it('entity tab: refetches on its signal and does not poll at the fallback interval while signals work', async () => {
    const signals = new TestSignalApi();
    const { api, rendered } = renderEntity(signals);
    await rendered;
    await screen.findByText(/· live/);
    expect(api.getEntityHealth).toHaveBeenCalledTimes(1);

    await sleep(INTERVAL_MS * 4);
    expect(api.getEntityHealth).toHaveBeenCalledTimes(1); // no polling

    // another entity's signal is not this tab's
    signals.send('deployment-health:entity:component:default/other', {
      kind: 'entity',
    });
    await sleep(100);
    expect(api.getEntityHealth).toHaveBeenCalledTimes(1);

    signals.send(ENTITY_CHANNEL, { kind: 'entity', change: 'health' });
    await waitFor(() => expect(api.getEntityHealth).toHaveBeenCalledTimes(2));
    signals.send(ENTITY_CHANNEL, { kind: 'entity', change: 'health' });
    await waitFor(() => expect(api.getEntityHealth).toHaveBeenCalledTimes(3));
    expect(
      screen.queryByTestId('deployment-health-polling-note'),
    ).not.toBeInTheDocument();
  });

  it('entity tab: while live, still refetches once a minute (what signals do not announce: time, clusters, nodes)', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const signals = new TestSignalApi();
      const { api, rendered } = renderEntity(signals);
      await rendered;
      await screen.findByText(/· live/);
      expect(api.getEntityHealth).toHaveBeenCalledTimes(1);
      // heartbeats keep it live; nothing is announced for the entity
      for (let s = 0; s < 60; s += 15) {
        signals.send('deployment-health:heartbeat', { kind: 'heartbeat' });
        await act(async () => {
          jest.advanceTimersByTime(15_000);
        });
      }
      await waitFor(() => expect(api.getEntityHealth).toHaveBeenCalledTimes(2));
      expect(screen.getByText(/· live/)).toBeInTheDocument();
    } finally {
      jest.useRealTimers();
    }
  });

  it('entity tab: without a signals API it polls and says so', async () => {
    const { api, rendered } = renderEntity();
    await rendered;
    expect(
      await screen.findByTestId('deployment-health-polling-note'),
    ).toHaveTextContent('live updates unavailable');
    expect(screen.getByText(/auto-refresh every/)).toBeInTheDocument();
    await waitFor(() =>
      expect(api.getEntityHealth.mock.calls.length).toBeGreaterThanOrEqual(3),
    );
  });

  it('entity tab: polls when the heartbeat stops, and goes live again when it comes back', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const signals = new TestSignalApi();
      const { api, rendered } = renderEntity(signals);
      await rendered;
      await screen.findByText(/· live/);
      // no heartbeat for 60 s: the connection counts as lost
      act(() => {
        jest.advanceTimersByTime(60_000);
      });
      expect(
        await screen.findByTestId('deployment-health-polling-note'),
      ).toHaveTextContent('live updates disconnected');
      const polled = api.getEntityHealth.mock.calls.length;
      await act(async () => {
        jest.advanceTimersByTime(INTERVAL_MS * 3);
      });
      await waitFor(() =>
        expect(api.getEntityHealth.mock.calls.length).toBeGreaterThan(polled),
      );
      signals.send('deployment-health:heartbeat', { kind: 'heartbeat' });
      await screen.findByText(/· live/);
      expect(
        screen.queryByTestId('deployment-health-polling-note'),
      ).not.toBeInTheDocument();
    } finally {
      jest.useRealTimers();
    }
  });

  const renderTeam = (signals: SignalApi, ownership: string[]) => {
    const api = mockDeploymentHealthApi({ group: exampleGroupHealth });
    const rendered = renderInTestApp(
      <EntityProvider entity={groupEntity}>
        <GroupDeploymentsContent refreshIntervalMs={INTERVAL_MS} />
      </EntityProvider>,
      {
        apis: [
          [deploymentHealthApiRef, api],
          [signalApiRef, signals],
          [
            identityApiRef,
            mockApis.identity({
              userEntityRef: 'user:default/jane',
              ownershipEntityRefs: ['user:default/jane', ...ownership],
            }),
          ],
        ],
        mountedRoutes: {
          '/catalog/:namespace/:kind/:name': entityRouteRef as any,
        },
      },
    );
    return { api, rendered };
  };

  it('team view: refetches on its team signal, without polling at the fallback interval', async () => {
    const signals = new TestSignalApi();
    const { api, rendered } = renderTeam(signals, [
      'group:default/team-payments',
    ]);
    await rendered;
    await screen.findByText(/· live/);
    await sleep(INTERVAL_MS * 4);
    expect(api.getGroupHealth).toHaveBeenCalledTimes(1);
    signals.send(GROUP_CHANNEL, { kind: 'group', change: 'health' });
    await waitFor(() => expect(api.getGroupHealth).toHaveBeenCalledTimes(2));
  });

  it('team view: a user outside the team gets no team signals, so it polls', async () => {
    const { api, rendered } = renderTeam(new TestSignalApi(), [
      'group:default/team-other',
    ]);
    await rendered;
    expect(
      await screen.findByTestId('deployment-health-polling-note'),
    ).toHaveTextContent('live updates for the owning team only');
    await waitFor(() =>
      expect(api.getGroupHealth.mock.calls.length).toBeGreaterThanOrEqual(3),
    );
  });

  it('entity tab: a summary reader gets no entity signals, so it polls', async () => {
    const { api, rendered } = renderEntity(new TestSignalApi(), {
      ...exampleHealthyEntity,
      detailsRestricted: true,
    });
    await rendered;
    expect(
      await screen.findByTestId('deployment-health-polling-note'),
    ).toHaveTextContent('live updates for the owning team only');
    await waitFor(() =>
      expect(api.getEntityHealth.mock.calls.length).toBeGreaterThanOrEqual(3),
    );
  });
});
