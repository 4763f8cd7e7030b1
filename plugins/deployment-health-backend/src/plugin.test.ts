import { ServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  ClusterHealth,
  deploymentStateOf,
  EntityHealthResponse,
  GroupHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  deploymentHealthFixtures,
  FakeKubeApi,
  seedFixture,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import request from 'supertest';
import {
  component,
  permissionsDenying,
  startHealthBackend,
} from './__testUtils__/backend';

const group = (name: string, children: string[] = []) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children },
  relations: children.map(c => ({
    type: 'parentOf',
    targetRef: `group:default/${c}`,
  })),
});
const entities = [
  group('platform-org', ['team-payments']),
  group('team-payments'),
  component('ledger-worker', 'team-payments'),
  component('catalog-api', 'team-payments'),
  component('labelled', 'platform-org', {
    'backstage.io/kubernetes-label-selector': 'app=ledger',
    'backstage.io/kubernetes-id': '',
  }),
  component('prod-only', 'platform-org', {
    'backstage.io/kubernetes-cluster': 'good',
  }),
];

/** Where the fixtures live: catalog-api in storefront, ledger-worker in payments. */
const tenancy = {
  teamNamespaces: [
    { team: 'team-payments', namespaces: ['payments', 'storefront'] },
    { team: 'platform-org', namespaces: ['payments'] },
    { team: 'team-jobs', namespaces: ['payments'] },
  ],
};

/*
 * Our own logic on top of the cache (team view, label-selector queries,
 * policies, resync), fed by the fake API server. What the plugin does
 * against real clusters (errors per cluster, timeouts, recovery, 401/403,
 * no leaks) is tested in reliability.integration.test.ts.
 */
jest.setTimeout(30_000);

describe('deploymentHealthPlugin', () => {
  const good = new FakeKubeApi();

  beforeAll(async () => {
    await good.start();
    seedFixture(good, deploymentHealthFixtures['prod-ledger-worker-crashloop']);
    seedFixture(good, deploymentHealthFixtures['prod-catalog-api-healthy']);
  });
  afterAll(() => good.stop());

  const start = (permissions?: ServiceFactory) =>
    startHealthBackend({
      clusters: [
        {
          name: 'good',
          url: good.url,
          environment: 'production',
          serviceAccountToken: 'reader-token',
        },
      ],
      deploymentHealth: {
        requestTimeoutSeconds: 1,
        initialBackoffSeconds: 0.2,
        maxBackoffSeconds: 0.5,
      },
      entities,
      tenancy,
      permissions,
    });

  it('serves page views from the cache: no API request per view', async () => {
    const backend = await start();
    const { server } = backend;
    try {
      const get = () =>
        request(server)
          .get('/api/deployment-health/entity/default/component/ledger-worker')
          .set('Authorization', mockCredentials.user.header());
      await waitFor(async () => {
        const c = ((await get()).body as EntityHealthResponse).clusters[0];
        return (
          c?.workloads[0]?.pods.length === 2 &&
          !c.reasons.some(r => r.code === 'ClusterSyncing')
        );
      });
      const body = (await get()).body as EntityHealthResponse;
      expect(body).toMatchObject({
        entityRef: 'component:default/ledger-worker',
        status: 'Failed',
      });
      expect(body.clusters[0]).toMatchObject({
        cluster: 'good',
        environment: 'production',
        status: 'Failed',
        source: 'cache',
      });
      const before = good.requests.length;
      for (let i = 0; i < 5; i++) await get();
      await request(server)
        .get('/api/deployment-health/group/default/team-payments')
        .set('Authorization', mockCredentials.user.header());
      // neither list nor watch per view (the periodic liveness check of
      // /version is per cluster, not per view)
      expect(
        good.requests
          .slice(before)
          .filter(r => !r.includes('watch=true') && r !== 'GET /version'),
      ).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  it('team view: components owned by the group and its child groups', async () => {
    const backend = await start();
    const { server } = backend;
    try {
      await waitFor(async () => {
        const res = await request(server)
          .get(
            '/api/deployment-health/group/default/platform-org?includeChildren=true',
          )
          .set('Authorization', mockCredentials.user.header());
        return (res.body as GroupHealthResponse).entities?.some(e =>
          e.clusters.some(c => c.cluster === 'good' && c.workloads.length > 0),
        );
      });
      const res = await request(server)
        .get(
          '/api/deployment-health/group/default/platform-org?includeChildren=true',
        )
        .set('Authorization', mockCredentials.user.header());
      const body = res.body as GroupHealthResponse;
      expect(body.groupRefs).toEqual([
        'group:default/platform-org',
        'group:default/team-payments',
      ]);
      expect(body.entities.map(e => [e.entityRef, e.owner])).toEqual([
        ['component:default/catalog-api', 'group:default/team-payments'],
        ['component:default/labelled', 'group:default/platform-org'],
        ['component:default/ledger-worker', 'group:default/team-payments'],
        ['component:default/prod-only', 'group:default/platform-org'],
      ]);
      expect(body.status).toBe('Failed');
      expect(body.clusters.map(c => c.name)).toEqual(['good']);
      // cluster annotation restricts clusters
      const prodOnly = body.entities.find(e =>
        e.entityRef.endsWith('prod-only'),
      )!;
      expect(prodOnly.clusters.map(c => c.cluster)).toEqual([]);
      expect(prodOnly.reasons[0].code).toBe('NotDeployed');

      const own = await request(server)
        .get('/api/deployment-health/group/default/platform-org')
        .set('Authorization', mockCredentials.user.header());
      expect(
        (own.body as GroupHealthResponse).entities.map(e => e.entityRef),
      ).toEqual(['component:default/labelled', 'component:default/prod-only']);
    } finally {
      await backend.stop();
    }
  });

  it('custom label selector uses a bounded on-demand query', async () => {
    const backend = await start();
    const { server } = backend;
    try {
      // label the ledger pods as the selector expects
      for (const p of deploymentHealthFixtures['prod-ledger-worker-crashloop']
        .pods as any[]) {
        good.upsert({
          ...p,
          kind: 'Pod',
          metadata: {
            ...p.metadata,
            labels: { ...p.metadata.labels, app: 'ledger' },
          },
        });
      }
      const get = async () =>
        (
          await request(server)
            .get('/api/deployment-health/entity/default/component/labelled')
            .set('Authorization', mockCredentials.user.header())
        ).body as EntityHealthResponse;
      await waitFor(async () =>
        (
          await get()
        ).clusters.some(c => c.cluster === 'good' && c.otherPods.length === 2),
      );
      const body = await get();
      const g = body.clusters.find(c => c.cluster === 'good')!;
      expect(g.source).toBe('query');
      expect(
        good.requests.some(
          r =>
            r.includes('labelSelector=app%3Dledger') && r.includes('limit=500'),
        ),
      ).toBe(true);
      // results are shared for a few seconds: a second view adds no request
      const queries = () => good.requests.filter(r => r !== 'GET /version');
      const before = queries().length;
      await get();
      expect(queries().length).toBe(before);
    } finally {
      await backend.stop();
    }
  });

  it('group view drops components a conditional policy denies', async () => {
    const backend = await start(
      permissionsDenying(
        r => r.resourceRef === 'component:default/ledger-worker',
      ),
    );
    const { server } = backend;
    try {
      const res = await request(server)
        .get('/api/deployment-health/group/default/team-payments')
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      expect(
        (res.body as GroupHealthResponse).entities.map(e => e.entityRef),
      ).toEqual(['component:default/catalog-api']);
    } finally {
      await backend.stop();
    }
  });

  it('group view leaves out cluster status without the clusters permission', async () => {
    const backend = await start(
      permissionsDenying(
        r => r.permission.name === 'deployment-health.clusters.read',
      ),
    );
    const { server } = backend;
    try {
      const teamView = await request(server)
        .get('/api/deployment-health/group/default/team-payments')
        .set('Authorization', mockCredentials.user.header());
      expect(teamView.status).toBe(200);
      expect(
        (teamView.body as GroupHealthResponse).entities.length,
      ).toBeGreaterThan(0);
      expect((teamView.body as GroupHealthResponse).clusters).toEqual([]);
      const clusters = await request(server)
        .get('/api/deployment-health/clusters')
        .set('Authorization', mockCredentials.user.header());
      expect(clusters.status).toBe(403);
    } finally {
      await backend.stop();
    }
  });

  it('team view: every component of a big team, page by page, and says how many a cap left out', async () => {
    // more than two catalog pages (500 each) of components
    const many = Array.from({ length: 1201 }, (_, i) =>
      component(`svc-${String(i).padStart(4, '0')}`, 'team-big'),
    );
    const teamView = async (deploymentHealth: object) => {
      const backend = await startHealthBackend({
        entities: [group('team-big'), ...many],
        deploymentHealth,
      });
      try {
        const res = await request(backend.server)
          .get('/api/deployment-health/group/default/team-big')
          .set('Authorization', mockCredentials.user.header());
        expect(res.status).toBe(200);
        return res.body as GroupHealthResponse;
      } finally {
        await backend.stop();
      }
    };

    const all = await teamView({ maxGroupComponents: 5000 });
    expect(all.entities).toHaveLength(1201);
    expect(new Set(all.entities.map(e => e.entityRef)).size).toBe(1201);
    expect(all.componentsLeftOut).toBeUndefined();

    // the default cap: the first 1000 by name, and the 201 others counted
    const capped = await teamView({});
    expect(capped.entities).toHaveLength(1000);
    expect(capped.entities[999].entityRef).toBe('component:default/svc-0999');
    expect(capped.componentsLeftOut).toBe(201);
  });

  it('starts cleanly with no clusters configured', async () => {
    const backend = await startHealthBackend({ entities });
    try {
      const clusters = await request(backend.server)
        .get('/api/deployment-health/clusters')
        .set('Authorization', mockCredentials.user.header());
      expect(clusters.body).toEqual({ clusters: [] });
      const entity = await request(backend.server)
        .get('/api/deployment-health/entity/default/component/ledger-worker')
        .set('Authorization', mockCredentials.user.header());
      expect(entity.status).toBe(200);
      expect(entity.body).toMatchObject({
        status: 'Unknown',
        clusters: [],
        reasons: [{ code: 'NotDeployed' }],
      });
    } finally {
      await backend.stop();
    }
  });

  it('says clusters are being prepared while the config announces them', async () => {
    const preparing = {
      message: 'building kube-apiserver',
      step: 2,
      steps: 11,
    };
    const backend = await startHealthBackend({
      entities,
      deploymentHealth: { preparingClusters: preparing },
    });
    try {
      const clusters = await request(backend.server)
        .get('/api/deployment-health/clusters')
        .set('Authorization', mockCredentials.user.header());
      expect(clusters.body).toEqual({ clusters: [], preparing });
      const team = await request(backend.server)
        .get('/api/deployment-health/group/default/team-payments')
        .set('Authorization', mockCredentials.user.header());
      expect(team.body).toMatchObject({ clusters: [], preparing });
    } finally {
      await backend.stop();
    }
  });

  it('team view: a service of bare pods only is deployed and keeps its status', async () => {
    const api = new FakeKubeApi();
    await api.start();
    const crashing = deploymentHealthFixtures['prod-ledger-worker-crashloop'];
    // The crash-looping pods without their ReplicaSet and Deployment.
    for (const pod of (crashing.pods ?? []) as any[]) {
      api.upsert({
        ...pod,
        kind: 'Pod',
        metadata: {
          ...pod.metadata,
          ownerReferences: [],
          labels: { 'backstage.io/kubernetes-id': 'bare-job' },
        },
      });
    }
    const backend = await startHealthBackend({
      clusters: [
        { name: 'c', url: api.url, serviceAccountToken: 'reader-token' },
      ],
      entities: [group('team-jobs'), component('bare-job', 'team-jobs')],
      tenancy,
    });
    try {
      const body = await waitFor(async () => {
        const res = await request(backend.server)
          .get('/api/deployment-health/group/default/team-jobs')
          .set('Authorization', mockCredentials.user.header());
        const g = res.body as GroupHealthResponse;
        return g.entities[0]?.clusters[0]?.otherPods.length ? g : undefined;
      });
      const [entity] = body.entities;
      expect(deploymentStateOf(entity.clusters)).toBe('Failed');
      expect(entity.clusters[0].otherPods[0].containers).toEqual([]);
    } finally {
      await backend.stop();
      await api.stop();
    }
  });

  /** A backend on its own fake cluster 'c' holding catalog-api, with these options. */
  async function startOwnCluster(deploymentHealth: object) {
    const api = new FakeKubeApi();
    await api.start();
    seedFixture(api, deploymentHealthFixtures['prod-catalog-api-healthy']);
    const backend = await startHealthBackend({
      clusters: [
        { name: 'c', url: api.url, serviceAccountToken: 'reader-token' },
      ],
      deploymentHealth,
      entities,
      tenancy,
    });
    const view = async (name: string) =>
      (
        await request(backend.server)
          .get(`/api/deployment-health/entity/default/component/${name}`)
          .set('Authorization', mockCredentials.user.header())
      ).body as EntityHealthResponse;
    const catalogApi = () => view('catalog-api');
    const pods = async () =>
      (await catalogApi()).clusters[0]?.workloads[0]?.pods.map(p => p.name) ??
      [];
    /** catalog-api's report of cluster 'c', once `holds` is true of it. */
    const clusterWhen = (
      holds: (c: ClusterHealth) => unknown,
      timeoutMs = 10_000,
    ) =>
      waitFor(
        async () => {
          const c = (await catalogApi()).clusters[0];
          return c && holds(c) ? c : undefined;
        },
        { timeoutMs },
      );
    return {
      api,
      view,
      catalogApi,
      pods,
      clusterWhen,
      async stop() {
        await backend.stop();
        await api.stop();
      },
    };
  }

  it('re-opens watches after their timeout and relists on resync, healing missed events', async () => {
    const { api, pods, stop } = await startOwnCluster({
      watchTimeoutSeconds: 1,
      resyncIntervalSeconds: 2,
    });
    try {
      await waitFor(async () => (await pods()).length === 3);
      const lost = deploymentHealthFixtures['prod-catalog-api-healthy']
        .pods![0] as any;
      api.removeSilently(lost.metadata.uid);
      await waitFor(async () => !(await pods()).includes(lost.metadata.name), {
        timeoutMs: 15_000,
      });
      const podLists = api.requests.filter(
        r => r.startsWith('GET /api/v1/pods?') && !r.includes('watch=true'),
      );
      expect(podLists.length).toBeGreaterThanOrEqual(2);
    } finally {
      await stop();
    }
  });

  it('replaces the objects of a recreated cluster even when a resourceVersion repeats', async () => {
    const { api, pods, stop } = await startOwnCluster({
      watchTimeoutSeconds: 1,
      resyncIntervalSeconds: 1,
    });
    try {
      await waitFor(async () => (await pods()).length === 3);
      // the new control plane: the ReplicaSet under its old name and
      // resourceVersion but a new uid, and new pods that reference it
      const fixture = deploymentHealthFixtures['prod-catalog-api-healthy'];
      const rs = fixture.replicaSets![0] as any;
      const newRsUid = `${rs.metadata.uid}-new`;
      api.replaceSilently(rs.metadata.uid, {
        ...rs,
        kind: 'ReplicaSet',
        metadata: { ...rs.metadata, uid: newRsUid },
      });
      for (const pod of fixture.pods as any[]) {
        api.replaceSilently(pod.metadata.uid, {
          ...pod,
          kind: 'Pod',
          metadata: {
            ...pod.metadata,
            uid: `${pod.metadata.uid}-new`,
            name: `${pod.metadata.name}-new`,
            ownerReferences: pod.metadata.ownerReferences.map((r: any) => ({
              ...r,
              uid: newRsUid,
            })),
          },
        });
      }
      const renamed = (fixture.pods as any[])
        .map(p => `${p.metadata.name}-new`)
        .sort();
      const current = async () => (await pods()).sort();
      // on timeout, the expectation below shows what the view has instead
      await waitFor(
        async () => JSON.stringify(await current()) === JSON.stringify(renamed),
      ).catch(() => {});
      expect(await current()).toEqual(renamed);
    } finally {
      await stop();
    }
  });

  it('moves an event that now names another object, leaving no copy behind', async () => {
    const { api, view, stop } = await startOwnCluster({
      recentWindowMinutes: 100_000_000, // the fixture's events are old
    });
    try {
      const ledger = deploymentHealthFixtures['prod-ledger-worker-crashloop'];
      seedFixture(api, ledger);
      const eventsOf = async (name: string) =>
        (await view(name)).clusters[0]?.workloads[0]?.events.map(
          e => e.involvedObject.name,
        ) ?? [];
      const event = ledger.events![0] as any;
      const before = event.involvedObject.name;
      await waitFor(async () =>
        (await eventsOf('ledger-worker')).includes(before),
      );
      const pod = deploymentHealthFixtures['prod-catalog-api-healthy']
        .pods![0] as any;
      api.upsert({
        ...event,
        kind: 'Event',
        involvedObject: {
          kind: 'Pod',
          name: pod.metadata.name,
          namespace: pod.metadata.namespace,
          uid: pod.metadata.uid,
        },
      });
      await waitFor(async () =>
        (await eventsOf('catalog-api')).includes(pod.metadata.name),
      );
      expect(await eventsOf('ledger-worker')).not.toContain(before);
    } finally {
      await stop();
    }
  });

  it('reports a watch that falls silent after bookmarks as stale while the server answers, and recovers', async () => {
    // a liveness check every 750 ms, each with its one-second watch check
    const { api, catalogApi, pods, clusterWhen, stop } = await startOwnCluster({
      staleAfterSeconds: 3,
      bookmarkIntervalSeconds: 1,
      watchTimeoutSeconds: 600,
    });
    try {
      await waitFor(async () => (await pods()).length === 3);
      const clusterError = async () => (await catalogApi()).clusters[0]?.error;
      // no bookmarks yet: the server may not send them; the answered
      // liveness checks keep the quiet watches confirmed
      await new Promise(r => setTimeout(r, 5000));
      expect(await clusterError()).toBeUndefined();
      expect(api.requests).toContain('GET /version');
      // this server sends bookmarks, then nothing: dead watches on a live server
      api.bookmark();
      const stale = await clusterWhen(c => c.error?.type === 'stale');
      expect(stale.error!.message).toMatch(
        /^not confirmed in sync with the API server for \d+s$/,
      );
      expect(stale.stale).toBe(true);
      expect(stale.workloads[0].pods).toHaveLength(3);
      api.bookmark();
      await waitFor(async () => (await clusterError()) === undefined);
    } finally {
      await stop();
    }
  });

  it('re-opens a watch that stops delivering while the server answers, and shows the change it held back', async () => {
    const { api, catalogApi, pods, stop } = await startOwnCluster({
      staleAfterSeconds: 2,
    });
    try {
      await waitFor(async () => (await pods()).length === 3);
      // the informer's own watches (the check's short ones ask for no bookmarks)
      const podWatches = () =>
        api.requests.filter(
          r =>
            r.startsWith('GET /api/v1/pods?') &&
            r.includes('allowWatchBookmarks=true'),
        ).length;
      const before = podWatches();
      api.stallWatches();
      const pod = deploymentHealthFixtures['prod-catalog-api-healthy']
        .pods![0] as any;
      api.upsert({
        ...pod,
        kind: 'Pod',
        metadata: {
          ...pod.metadata,
          uid: `${pod.metadata.uid}-new`,
          name: `${pod.metadata.name}-new`,
        },
      });
      // the stalled watch would hold it back until its timeout (minutes)
      await waitFor(async () => (await pods()).length === 4, {
        timeoutMs: 10_000,
      });
      expect(podWatches()).toBeGreaterThan(before); // re-opened
      expect((await catalogApi()).clusters[0].error).toBeUndefined();
    } finally {
      await stop();
    }
  });

  it('closes the connection of a server that stops answering, keeps its data with the time of the last answer, and recovers', async () => {
    const { api, pods, clusterWhen, stop } = await startOwnCluster({
      staleAfterSeconds: 2,
      requestTimeoutSeconds: 1,
      initialBackoffSeconds: 0.2,
      maxBackoffSeconds: 0.5,
    });
    try {
      await waitFor(async () => (await pods()).length === 3);
      api.frozen = true;
      const frozenAt = Date.now();
      // the open watches stay open and silent: only the liveness check tells
      const failed = await clusterWhen(c => c.error?.type === 'timeout');
      expect(failed.error!.message).toMatch(
        /^no response within 1s \(liveness check of \/version\)/,
      );
      expect(failed.workloads[0].pods).toHaveLength(3);
      expect(Date.parse(failed.lastSyncedAt!)).toBeLessThanOrEqual(frozenAt);
      const aged = await clusterWhen(c => c.stale);
      expect(aged.error!.message).toMatch(/; cached data is \d+s old$/);
      expect(Date.parse(aged.lastSyncedAt!)).toBeLessThanOrEqual(frozenAt);
      api.frozen = false;
      const back = await clusterWhen(c => !c.error);
      expect(back.stale).toBeUndefined();
      expect(Date.parse(back.lastSyncedAt!)).toBeGreaterThan(frozenAt);
    } finally {
      await stop();
    }
  });

  it('reports stale data, then the failure with the age of the data, and keeps the data', async () => {
    // Every watch ends after 1 s and is followed by a relist, which hangs
    // until the request timeout (8 s): stale after 1 s, then 'timeout'.
    const { api, pods, clusterWhen, stop } = await startOwnCluster({
      watchTimeoutSeconds: 1,
      resyncIntervalSeconds: 1,
      requestTimeoutSeconds: 8,
      staleAfterSeconds: 1,
      initialBackoffSeconds: 10,
    });
    try {
      await waitFor(async () => (await pods()).length === 3);
      api.hangLists = true;
      /** The cluster's error once it has this type, with the workloads still shown. */
      const errorOfType = (type: string) =>
        clusterWhen(c => c.error?.type === type, 20_000);
      // The age of the data is reported and grows; how many seconds each
      // step takes on a loaded machine is not asserted.
      const ageIn = (message: string, pattern: RegExp) => {
        expect(message).toMatch(pattern);
        return Number(pattern.exec(message)![1]);
      };
      const stale = await errorOfType('stale');
      const staleAge = ageIn(
        stale.error!.message,
        /^not confirmed in sync with the API server for (\d+)s$/,
      );
      expect(stale.workloads[0].pods).toHaveLength(3);
      const timedOut = await errorOfType('timeout');
      const timedOutAge = ageIn(
        timedOut.error!.message,
        /^no response within 8s.*; cached data is (\d+)s old$/,
      );
      expect(staleAge).toBeGreaterThanOrEqual(1);
      expect(timedOutAge).toBeGreaterThan(staleAge);
      expect(timedOut.workloads[0].pods).toHaveLength(3);
    } finally {
      await stop();
    }
  });
});
