/*
 * Health signals at a real kube-apiserver (scripts/cluster, on a cluster of
 * this test's own, "signals-it"): scaling a Deployment and deleting a pod
 * are announced within 2 s, through the real signals service
 * (@backstage/plugin-signals-node's default, which publishes on the events
 * service's "signals" topic, where signals-backend listens). The test
 * listens on that topic as another plugin, as signals-backend does.
 *
 *   SHIPYARD_INTEGRATION=1 yarn backstage-cli package test --watchAll=false src/live/signals.integration.test.ts
 */
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import {
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import type { SignalPayload } from '@backstage/plugin-signals-node';
import {
  describeIntegration,
  labelledDeployment,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import {
  startTestCluster,
  stopTestCluster,
  TestCluster,
} from '@shipyard-platform/test-cluster';
import { component, startHealthBackend } from '../__testUtils__/backend';

const CLUSTER = 'signals-it';
const ns = `dh-signals-${Date.now().toString(36)}`;
const team = 'team-signals';
const PROBE = 'signals-probe';
const CHANNEL = `deployment-health:entity:component:default/${PROBE}`;

jest.setTimeout(600_000);

/** Every event published on the "signals" topic, with when it arrived. */
function signalsListener() {
  const received: Array<{ at: number; signal: SignalPayload }> = [];
  const feature = createBackendPlugin({
    pluginId: 'signals-listener',
    register(env) {
      env.registerInit({
        deps: { events: eventsServiceRef },
        async init({ events }) {
          await events.subscribe({
            id: 'signals-listener',
            topics: ['signals'],
            onEvent: async ({ eventPayload }) => {
              received.push({
                at: Date.now(),
                signal: eventPayload as SignalPayload,
              });
            },
          });
        },
      });
    },
  });
  return { received, feature };
}

describeIntegration('health signals at a real API server', () => {
  let cluster: TestCluster;
  let backend: Awaited<ReturnType<typeof startHealthBackend>> | undefined;
  const listener = signalsListener();

  beforeAll(async () => {
    cluster = await startTestCluster(CLUSTER);
    await cluster.apply(labelledDeployment(PROBE, ns));
    backend = await startHealthBackend({
      clusters: [
        {
          name: CLUSTER,
          url: cluster.server,
          caData: cluster.caData,
          serviceAccountToken: cluster.readerToken,
          environment: 'production',
        },
      ],
      tenancy: {
        teamNamespaces: [{ team, namespaces: [ns] }],
        platformGroups: ['platform-sre'],
      },
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Group',
          metadata: { name: team, namespace: 'default' },
          spec: { type: 'team', children: [] },
        },
        component(PROBE, team),
      ],
      // the real events service (as backend-defaults installs it), not
      // the test backend's per-plugin mock: one bus that all plugins share
      features: [listener.feature, eventsServiceFactory],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await stopTestCluster(CLUSTER).catch(() => {});
  });

  /** Milliseconds from the start of `change` to the first signal on CHANNEL after it. */
  async function latencyOf(change: () => Promise<unknown>): Promise<number> {
    // quiet first: what an earlier change set off has gone out
    await new Promise(r => setTimeout(r, 1500));
    const start = Date.now();
    await change();
    const hit = await waitFor(
      () =>
        listener.received.find(
          r => r.at >= start && r.signal.channel === CHANNEL,
        ),
      { what: `a signal on ${CHANNEL}`, timeoutMs: 10_000, intervalMs: 20 },
    );
    return hit.at - start;
  }

  it('announces a scaled Deployment and a deleted pod within 2 s, to the owners only, without object data', async () => {
    // the initial list is announced too: the cache is in sync
    await waitFor(
      () => listener.received.some(r => r.signal.channel === CHANNEL),
      { what: 'the first signal', timeoutMs: 60_000 },
    );

    const scaled = await latencyOf(() =>
      cluster.kubectl('-n', ns, 'scale', `deployment/${PROBE}`, '--replicas=3'),
    );
    const pod = (
      await cluster.kubectl(
        '-n',
        ns,
        'get',
        'pods',
        '-l',
        `app=${PROBE}`,
        '-o',
        'jsonpath={.items[0].metadata.name}',
      )
    ).trim();
    const deleted = await latencyOf(() =>
      cluster.kubectl('-n', ns, 'delete', 'pod', pod, '--wait=false'),
    );
    // kubectl's own start-up is inside these figures
    // eslint-disable-next-line no-console
    console.log(
      `signal latency: scale ${scaled} ms, pod delete ${deleted} ms (change start to signal published)`,
    );
    expect(scaled).toBeLessThan(2000);
    expect(deleted).toBeLessThan(2000);

    const signal = listener.received.find(
      r => r.signal.channel === CHANNEL,
    )!.signal;
    expect(signal).toEqual({
      channel: CHANNEL,
      recipients: {
        type: 'user',
        entityRef: [`group:default/${team}`, 'group:default/platform-sre'],
      },
      message: {
        kind: 'entity',
        entityRef: `component:default/${PROBE}`,
        change: 'health',
      },
    });
    const text = JSON.stringify(listener.received.map(r => r.signal));
    expect(text).not.toContain(pod);
    expect(text).not.toContain(ns);
    // the team channel too
    expect(
      listener.received.some(
        r =>
          r.signal.channel === `deployment-health:group:group:default/${team}`,
      ),
    ).toBe(true);
  });
});
