import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  SignalPayload,
  signalsServiceRef,
} from '@backstage/plugin-signals-node';
import {
  deploymentHealthFixtures,
  FakeKubeApi,
  seedFixture,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import request from 'supertest';
import { component, startHealthBackend } from '../__testUtils__/backend';

/** A group with its relations as the catalog stores them (both directions). */
const group = (name: string, parent?: string, children: string[] = []) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children },
  relations: [
    ...(parent
      ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
      : []),
    ...children.map(c => ({
      type: 'parentOf',
      targetRef: `group:default/${c}`,
    })),
  ],
});

const entities = [
  group('platform-org', undefined, ['team-payments']),
  group('team-payments', 'platform-org', ['team-payments-oncall']),
  group('team-payments-oncall', 'team-payments'),
  group('team-other'),
  component('ledger-worker', 'team-payments'),
  component('catalog-api', 'team-payments'),
  // the same kubernetes-id as ledger-worker, but another team's: its
  // namespaces do not hold the changed objects
  component('ledger-copy', 'team-other', {
    'backstage.io/kubernetes-id': 'ledger-worker',
  }),
];

const tenancy = {
  teamNamespaces: [
    { team: 'team-payments', namespaces: ['payments', 'storefront'] },
    { team: 'team-other', namespaces: ['other'] },
  ],
  platformGroups: ['platform-sre'],
};

/** A signals service that records what the plugin publishes. */
function recordingSignals() {
  const published: SignalPayload[] = [];
  const factory = createServiceFactory({
    service: signalsServiceRef,
    deps: {},
    factory: () => ({
      publish: async (signal: SignalPayload) => {
        published.push(JSON.parse(JSON.stringify(signal)));
      },
    }),
  });
  return { published, factory };
}

jest.setTimeout(30_000);

describe('health signals', () => {
  const api = new FakeKubeApi();
  const fixture = deploymentHealthFixtures['prod-ledger-worker-crashloop'];
  const pod = fixture.pods![0] as any;

  beforeAll(async () => {
    await api.start();
    seedFixture(api, fixture);
    seedFixture(api, deploymentHealthFixtures['prod-catalog-api-healthy']);
  });
  afterAll(() => api.stop());

  it('announces a changed service to its owners and platform groups, coalesced, without object data', async () => {
    const signals = recordingSignals();
    const backend = await startHealthBackend({
      clusters: [
        {
          name: 'prod',
          url: api.url,
          environment: 'production',
          serviceAccountToken: 'reader-token',
        },
      ],
      deploymentHealth: {
        requestTimeoutSeconds: 1,
        signals: { debounceMilliseconds: 300 },
      },
      entities,
      tenancy,
      features: [signals.factory],
    });
    try {
      // in sync; the initial list's announcements have gone out
      await waitFor(async () => {
        const res = await request(backend.server)
          .get('/api/deployment-health/entity/default/component/ledger-worker')
          .set('Authorization', mockCredentials.user.header());
        return res.body.clusters?.[0]?.workloads?.length > 0;
      });
      await new Promise(r => setTimeout(r, 700));
      signals.published.length = 0;

      // two changes of one pod, 50 ms apart
      const restarted = (n: number) => ({
        ...pod,
        kind: 'Pod',
        status: {
          ...pod.status,
          containerStatuses: pod.status.containerStatuses.map((c: any) => ({
            ...c,
            restartCount: c.restartCount + n,
          })),
        },
      });
      api.upsert(restarted(1));
      await new Promise(r => setTimeout(r, 50));
      api.upsert(restarted(2));

      await waitFor(() => signals.published.length >= 3, {
        what: 'signals',
      });
      await new Promise(r => setTimeout(r, 700)); // nothing more comes
      const byChannel = Object.fromEntries(
        signals.published.map(s => [s.channel, s]),
      );
      // one per channel: both changes went out together
      expect(signals.published).toHaveLength(3);
      expect(Object.keys(byChannel).sort()).toEqual([
        'deployment-health:entity:component:default/ledger-worker',
        'deployment-health:group:group:default/platform-org',
        'deployment-health:group:group:default/team-payments',
      ]);
      expect(
        byChannel['deployment-health:entity:component:default/ledger-worker'],
      ).toEqual({
        channel: 'deployment-health:entity:component:default/ledger-worker',
        // the owning group, its sub-team and the platform group; not
        // broadcast, not the parent team (which reads only the summary),
        // and not team-other, whose ledger-copy has the same kubernetes-id
        recipients: {
          type: 'user',
          entityRef: [
            'group:default/team-payments',
            'group:default/team-payments-oncall',
            'group:default/platform-sre',
          ],
        },
        message: {
          kind: 'entity',
          entityRef: 'component:default/ledger-worker',
          change: 'health',
        },
      });
      expect(
        byChannel['deployment-health:group:group:default/team-payments'],
      ).toEqual({
        channel: 'deployment-health:group:group:default/team-payments',
        recipients: {
          type: 'user',
          entityRef: [
            'group:default/team-payments',
            'group:default/platform-sre',
          ],
        },
        message: {
          kind: 'group',
          groupRef: 'group:default/team-payments',
          change: 'health',
        },
      });
      // the parent team's view shows the service too
      expect(
        byChannel['deployment-health:group:group:default/platform-org']
          .recipients,
      ).toEqual({
        type: 'user',
        entityRef: ['group:default/platform-org', 'group:default/platform-sre'],
      });
      // no object data: no pod, namespace, cluster or status in any signal
      const text = JSON.stringify(signals.published);
      for (const secret of [
        pod.metadata.name,
        '"payments"',
        'prod',
        'Failed',
        'restart',
      ])
        expect(text).not.toContain(secret);
    } finally {
      await backend.stop();
    }
  });

  it('publishes nothing when deploymentHealth.signals.enabled is false', async () => {
    const signals = recordingSignals();
    const backend = await startHealthBackend({
      clusters: [
        {
          name: 'prod',
          url: api.url,
          environment: 'production',
          serviceAccountToken: 'reader-token',
        },
      ],
      deploymentHealth: { signals: { enabled: false } },
      entities,
      tenancy,
      features: [signals.factory],
    });
    try {
      await waitFor(async () => {
        const res = await request(backend.server)
          .get('/api/deployment-health/entity/default/component/ledger-worker')
          .set('Authorization', mockCredentials.user.header());
        return res.body.clusters?.[0]?.workloads?.length > 0;
      });
      api.upsert({
        ...pod,
        kind: 'Pod',
        metadata: {
          ...pod.metadata,
          labels: { ...pod.metadata.labels, touched: 'yes' },
        },
      });
      await new Promise(r => setTimeout(r, 1500));
      expect(signals.published).toEqual([]);
    } finally {
      await backend.stop();
    }
  });
});
