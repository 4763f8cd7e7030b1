import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  ClustersResponse,
  EntityHealthResponse,
  GroupHealthResponse,
} from '@internal/backstage-plugin-deployment-health-common';
import { deploymentHealthFixtures } from '@internal/backstage-plugin-deployment-health-common/testUtils';
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { FakeKubeApi, seedFixture } from './__testUtils__/fakeKubeApi';
import { deploymentHealthPlugin } from './plugin';

const TOKEN = 'cluster-token-must-not-leak';
const ENV_SECRET = 'pod-env-secret-must-not-leak';

const component = (name: string, owner: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations: { 'backstage.io/kubernetes-id': name, ...annotations } },
  spec: { type: 'service', owner, lifecycle: 'production' },
  relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
});
const group = (name: string, children: string[] = []) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children },
  relations: children.map(c => ({ type: 'parentOf', targetRef: `group:default/${c}` })),
});
const entities = [
  group('platform-org', ['team-payments']),
  group('team-payments'),
  component('ledger-worker', 'team-payments'),
  component('catalog-api', 'team-payments'),
  component('labelled', 'platform-org', { 'backstage.io/kubernetes-label-selector': 'app=ledger', 'backstage.io/kubernetes-id': '' }),
  component('prod-only', 'platform-org', { 'backstage.io/kubernetes-cluster': 'good' }),
];

/** Fixture with a secret env value added to every container. */
function withEnvSecret(fixture: any) {
  const f = JSON.parse(JSON.stringify(fixture));
  for (const p of f.pods) for (const c of p.spec.containers) c.env = [{ name: 'PASSWORD', value: ENV_SECRET }];
  for (const d of f.deployments) for (const c of d.spec.template.spec.containers) c.env = [{ name: 'PASSWORD', value: ENV_SECRET }];
  return f;
}

/** Root logger that records every line, to assert nothing secret is logged. */
const logs: string[] = [];
const capturingLogger = createServiceFactory({
  service: coreServices.rootLogger,
  deps: {},
  factory() {
    const make = (fields: object): any => {
      const log = (level: string) => (msg: string, meta?: unknown) =>
        logs.push(`${level} ${msg} ${JSON.stringify({ ...fields, ...(meta as object) })}`);
      return { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug'), child: (f: object) => make({ ...fields, ...f }) };
    };
    return make({});
  },
});

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>(r => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise(r => s.close(r));
  return port;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`condition not met in time; logs:\n${logs.slice(-20).join('\n')}`);
}

jest.setTimeout(30_000);

describe('deploymentHealthPlugin', () => {
  const good = new FakeKubeApi();
  const forbidden = new FakeKubeApi();
  const blackhole = new FakeKubeApi();
  let stoppedPort: number;

  beforeAll(async () => {
    await good.start();
    await forbidden.start();
    await blackhole.start();
    forbidden.mode = 'forbidden';
    blackhole.mode = 'blackhole';
    stoppedPort = await freePort();
    seedFixture(good, withEnvSecret(deploymentHealthFixtures['prod-ledger-worker-crashloop']));
    seedFixture(good, withEnvSecret(deploymentHealthFixtures['prod-catalog-api-healthy']));
  });
  afterAll(async () => {
    await Promise.all([good.stop(), forbidden.stop(), blackhole.stop()]);
  });

  async function start(options: { permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY; permissionsImpl?: any } = {}) {
    const cluster = (name: string, url: string) => ({ name, url, serviceAccountToken: TOKEN, environment: name === 'good' ? 'production' : 'development' });
    return startTestBackend({
      features: [
        deploymentHealthPlugin,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    cluster('good', good.url),
                    cluster('forbidden', forbidden.url),
                    cluster('blackhole', blackhole.url),
                    cluster('stopped', `http://127.0.0.1:${stoppedPort}`),
                  ],
                },
              ],
            },
            deploymentHealth: { requestTimeoutSeconds: 1, initialBackoffSeconds: 0.2, maxBackoffSeconds: 0.5 },
          },
        }),
        capturingLogger,
        catalogServiceMock.factory({ entities: entities as any }),
        options.permissionsImpl ?? mockServices.permissions.factory({ result: options.permission ?? AuthorizeResult.ALLOW }),
        mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
      ].filter(Boolean) as any,
    });
  }

  it('serves entity health from the cache, with per-cluster errors beside the data', async () => {
    const backend = await start();
    const { server } = backend;
    try {
      const get = () =>
        request(server)
          .get('/api/deployment-health/entity/default/component/ledger-worker')
          .set('Authorization', mockCredentials.user.header());
      // wait for the first sync and for every failing cluster to be classified
      await waitFor(async () => {
        const res = await get();
        const byName = Object.fromEntries((res.body as EntityHealthResponse).clusters.map(c => [c.cluster, c]));
        return byName.good?.workloads[0]?.pods.length === 2 && !byName.good.reasons.some(r => r.code === 'ClusterSyncing') &&
          byName.blackhole?.error?.type === 'timeout' &&
          byName.forbidden?.error?.type === 'forbidden' && byName.stopped?.error?.type === 'unreachable';
      });
      const started = Date.now();
      const res = await get();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(res.status).toBe(200);
      const body = res.body as EntityHealthResponse;
      expect(body.entityRef).toBe('component:default/ledger-worker');
      expect(body.status).toBe('Failed');
      const byName = Object.fromEntries(body.clusters.map(c => [c.cluster, c]));
      expect(byName.good).toMatchObject({ environment: 'production', status: 'Failed', source: 'cache' });
      expect(byName.good.workloads[0].pods).toHaveLength(2);
      expect(byName.forbidden.error).toMatchObject({ type: 'forbidden', statusCode: 403 });
      expect(byName.forbidden.status).toBe('Unknown');
      expect(byName.stopped.error?.message).toMatch(/ECONNREFUSED/);

      // the cache answers page views: no API request per view
      const before = good.requests.length;
      for (let i = 0; i < 5; i++) await get();
      await request(server).get('/api/deployment-health/group/default/team-payments').set('Authorization', mockCredentials.user.header());
      expect(good.requests.slice(before).filter(r => !r.includes('watch=true'))).toEqual([]);

      // nothing secret in responses or logs
      const clusters = await request(server).get('/api/deployment-health/clusters').set('Authorization', mockCredentials.user.header());
      for (const text of [JSON.stringify(res.body), JSON.stringify(clusters.body), logs.join('\n')]) {
        expect(text).not.toContain(TOKEN);
        expect(text).not.toContain(ENV_SECRET);
      }
    } finally {
      await backend.stop();
    }
  });

  it('follows changes through the watch and recovers after the API server drops connections', async () => {
    const backend = await start();
    const { server } = backend;
    try {
      const get = async () =>
        (await request(server).get('/api/deployment-health/entity/default/component/catalog-api').set('Authorization', mockCredentials.user.header()))
          .body as EntityHealthResponse;
      await waitFor(async () => (await get()).clusters.find(c => c.cluster === 'good')?.workloads.length === 1);
      const pod = deploymentHealthFixtures['prod-catalog-api-healthy'].pods![0] as any;
      const broken = JSON.parse(JSON.stringify(pod));
      broken.status.containerStatuses[0] = {
        ...broken.status.containerStatuses[0],
        ready: false,
        started: false,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' } },
      };
      good.dropConnections();
      good.upsert({ ...broken, kind: 'Pod' });
      await waitFor(async () =>
        (await get()).clusters.find(c => c.cluster === 'good')!.workloads[0].pods.some(p => p.containers[0].reason === 'CrashLoopBackOff'),
      );
      // and a change while connected arrives through the open watch
      good.upsert({ ...pod, kind: 'Pod' });
      await waitFor(async () =>
        (await get()).clusters.find(c => c.cluster === 'good')!.workloads[0].pods.every(p => p.status === 'Healthy'),
      );
      // once every informer has reconnected, the cluster error clears too
      await waitFor(async () => (await get()).clusters.find(c => c.cluster === 'good')!.status === 'Healthy');
      expect((await get()).clusters.find(c => c.cluster === 'good')!.error).toBeUndefined();
    } finally {
      await backend.stop();
    }
  });

  it('recovers a cluster that was answering 403 without a restart', async () => {
    const flaky = new FakeKubeApi();
    await flaky.start();
    flaky.mode = 'forbidden';
    seedFixture(flaky, deploymentHealthFixtures['prod-catalog-api-healthy']);
    const backend = await startTestBackend({
      features: [
        deploymentHealthPlugin,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: { clusterLocatorMethods: [{ type: 'config', clusters: [{ name: 'flaky', url: flaky.url }] }] },
            deploymentHealth: { requestTimeoutSeconds: 1, initialBackoffSeconds: 0.1, maxBackoffSeconds: 0.3 },
          },
        }),
        catalogServiceMock.factory({ entities: entities as any }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      ],
    });
    const { server } = backend;
    try {
      const clusters = async () =>
        ((await request(server).get('/api/deployment-health/clusters').set('Authorization', mockCredentials.user.header())).body as ClustersResponse).clusters[0];
      await waitFor(async () => (await clusters()).error?.type === 'forbidden');
      flaky.mode = 'ok';
      await waitFor(async () => (await clusters()).state === 'ok');
      expect((await clusters()).objectCounts?.Pod).toBe(3);
    } finally {
      await backend.stop();
      await flaky.stop();
    }
  });

  it('team view: components owned by the group and its child groups', async () => {
    const backend = await start();
    const { server } = backend;
    try {
      await waitFor(async () => {
        const res = await request(server).get('/api/deployment-health/group/default/platform-org?includeChildren=true').set('Authorization', mockCredentials.user.header());
        return (res.body as GroupHealthResponse).entities?.some(e => e.clusters.some(c => c.cluster === 'good' && c.workloads.length > 0));
      });
      const res = await request(server).get('/api/deployment-health/group/default/platform-org?includeChildren=true').set('Authorization', mockCredentials.user.header());
      const body = res.body as GroupHealthResponse;
      expect(body.groupRefs).toEqual(['group:default/platform-org', 'group:default/team-payments']);
      expect(body.entities.map(e => [e.entityRef, e.owner])).toEqual([
        ['component:default/catalog-api', 'group:default/team-payments'],
        ['component:default/labelled', 'group:default/platform-org'],
        ['component:default/ledger-worker', 'group:default/team-payments'],
        ['component:default/prod-only', 'group:default/platform-org'],
      ]);
      expect(body.status).toBe('Failed');
      expect(body.clusters.map(c => c.name)).toEqual(['good', 'forbidden', 'blackhole', 'stopped']);
      // cluster annotation restricts clusters
      const prodOnly = body.entities.find(e => e.entityRef.endsWith('prod-only'))!;
      expect(prodOnly.clusters.map(c => c.cluster)).toEqual([]);
      expect(prodOnly.reasons[0].code).toBe('NotDeployed');

      const own = await request(server).get('/api/deployment-health/group/default/platform-org').set('Authorization', mockCredentials.user.header());
      expect((own.body as GroupHealthResponse).entities.map(e => e.entityRef)).toEqual([
        'component:default/labelled',
        'component:default/prod-only',
      ]);
    } finally {
      await backend.stop();
    }
  });

  it('custom label selector uses a bounded on-demand query', async () => {
    const backend = await start();
    const { server } = backend;
    try {
      // label the ledger pods as the selector expects
      for (const p of deploymentHealthFixtures['prod-ledger-worker-crashloop'].pods as any[]) {
        good.upsert({ ...p, kind: 'Pod', metadata: { ...p.metadata, labels: { ...p.metadata.labels, app: 'ledger' } } });
      }
      const get = async () =>
        (await request(server).get('/api/deployment-health/entity/default/component/labelled').set('Authorization', mockCredentials.user.header()))
          .body as EntityHealthResponse;
      await waitFor(async () => (await get()).clusters.some(c => c.cluster === 'good' && c.otherPods.length === 2));
      const body = await get();
      const g = body.clusters.find(c => c.cluster === 'good')!;
      expect(g.source).toBe('query');
      expect(good.requests.some(r => r.includes('labelSelector=app%3Dledger') && r.includes('limit=500'))).toBe(true);
      // results are shared for a few seconds: a second view adds no request
      const before = good.requests.length;
      await get();
      expect(good.requests.length).toBe(before);
    } finally {
      await backend.stop();
    }
  });

  it('401 without credentials, 403 when denied, 404 for unknown entities', async () => {
    const allowed = await start();
    try {
      await request(allowed.server).get('/api/deployment-health/entity/default/component/ledger-worker').expect(401);
      await request(allowed.server).get('/api/deployment-health/clusters').expect(401);
      await request(allowed.server).get('/api/deployment-health/group/default/team-payments').expect(401);
      await request(allowed.server)
        .get('/api/deployment-health/entity/default/component/nope')
        .set('Authorization', mockCredentials.user.header())
        .expect(404);
    } finally {
      await allowed.stop();
    }
    const denied = await start({ permission: AuthorizeResult.DENY });
    try {
      for (const path of ['entity/default/component/ledger-worker', 'group/default/team-payments', 'clusters']) {
        const res = await request(denied.server).get(`/api/deployment-health/${path}`).set('Authorization', mockCredentials.user.header());
        expect(res.status).toBe(403);
      }
    } finally {
      await denied.stop();
    }
  });

  it('group view drops components a conditional policy denies', async () => {
    const permissionsImpl = mockServices.permissions.mock({
      authorize: async (requests: any[]) =>
        requests.map((r: any) => ({
          result: r.resourceRef === 'component:default/ledger-worker' ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
        })),
    } as any);
    const backend = await start({ permissionsImpl: permissionsImpl.factory });
    const { server } = backend;
    try {
      const res = await request(server).get('/api/deployment-health/group/default/team-payments').set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      expect((res.body as GroupHealthResponse).entities.map(e => e.entityRef)).toEqual(['component:default/catalog-api']);
    } finally {
      await backend.stop();
    }
  });

  it('starts cleanly with no clusters configured', async () => {
    const backend = await startTestBackend({
      features: [
        deploymentHealthPlugin,
        mockServices.rootConfig.factory({ data: {} }),
        catalogServiceMock.factory({ entities: entities as any }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      ],
    });
    try {
      const clusters = await request(backend.server).get('/api/deployment-health/clusters').set('Authorization', mockCredentials.user.header());
      expect(clusters.body).toEqual({ clusters: [] });
      const entity = await request(backend.server)
        .get('/api/deployment-health/entity/default/component/ledger-worker')
        .set('Authorization', mockCredentials.user.header());
      expect(entity.status).toBe(200);
      expect(entity.body).toMatchObject({ status: 'Unknown', clusters: [], reasons: [{ code: 'NotDeployed' }] });
    } finally {
      await backend.stop();
    }
  });

  it('re-opens watches after their timeout and relists on resync, healing missed events', async () => {
    const api = new FakeKubeApi();
    await api.start();
    seedFixture(api, deploymentHealthFixtures['prod-catalog-api-healthy']);
    const backend = await startTestBackend({
      features: [
        deploymentHealthPlugin,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: { clusterLocatorMethods: [{ type: 'config', clusters: [{ name: 'c', url: api.url }] }] },
            deploymentHealth: { watchTimeoutSeconds: 1, resyncIntervalSeconds: 2 },
          },
        }),
        catalogServiceMock.factory({ entities: entities as any }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      ],
    });
    try {
      const pods = async () =>
        ((await request(backend.server).get('/api/deployment-health/entity/default/component/catalog-api').set('Authorization', mockCredentials.user.header()))
          .body as EntityHealthResponse).clusters[0]?.workloads[0]?.pods.map(p => p.name) ?? [];
      await waitFor(async () => (await pods()).length === 3);
      const lost = deploymentHealthFixtures['prod-catalog-api-healthy'].pods![0] as any;
      api.removeSilently(lost.metadata.uid);
      await waitFor(async () => !(await pods()).includes(lost.metadata.name), 15_000);
      const podLists = api.requests.filter(r => r.startsWith('GET /api/v1/pods?') && !r.includes('watch=true'));
      expect(podLists.length).toBeGreaterThanOrEqual(2);
    } finally {
      await backend.stop();
      await api.stop();
    }
  });
});
