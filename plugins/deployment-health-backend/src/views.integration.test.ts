/*
 * What plugin.test.ts and onDemandBudget.test.ts prove against FakeKubeApi
 * (requests seen by the fake, selectors the fake evaluates), proved here at a
 * real kube-apiserver of scripts/cluster:
 * - a page view (entity, team) sends no Kubernetes request: counted by the API
 *   server itself (apiserver_request_total, as scripts/bench does), with a
 *   view that does query the cluster as the control that the count counts;
 * - a custom label selector is evaluated by the API server (set-based
 *   selectors) and the query is bounded by its list `limit` (the server's
 *   `continue` token marks the result truncated).
 * What only the fakes cover: the request shapes and budgets of
 * onDemandBudget.test.ts (lists in flight, queries per team view) and the
 * watch failures plugin.test.ts injects.
 *
 * Runs on its own cluster ("views"), started and stopped here: the count is
 * cluster-wide, so other tests' requests must not reach it.
 */
import type {
  ClusterHealth,
  EntityHealthResponse,
  GroupHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  describeIntegration,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import {
  readsServed,
  startTestCluster,
  stopTestCluster,
  TestCluster,
} from '@shipyard-platform/test-cluster';
import {
  component,
  readAsUser,
  startHealthBackend,
} from './__testUtils__/backend';

const CLUSTER = 'views';
const ns = `dh-views-${Date.now().toString(36)}`;
const PROBE = 'views-probe';

jest.setTimeout(600_000);

/** LIST and GET requests for the resources the plugins read, served so far. */
async function readsServedBy(cluster: TestCluster): Promise<number> {
  return readsServed(await cluster.kubectl('get', '--raw', '/metrics'));
}

/** A Deployment of `replicas` pods with these labels on it and its pods. */
const deployment = (
  name: string,
  labels: Record<string, string>,
  replicas = 1,
) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns, labels },
  spec: {
    replicas,
    selector: { matchLabels: { 'views.shipyard.dev/name': name } },
    template: {
      metadata: { labels: { ...labels, 'views.shipyard.dev/name': name } },
      spec: {
        containers: [
          { name: 'app', image: `ghcr.io/shipyard-examples/${name}:1.0.0` },
        ],
      },
    },
  },
});

const group = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});

describeIntegration('deployment health views at a real API server', () => {
  let cluster: TestCluster;
  let backend: Awaited<ReturnType<typeof startHealthBackend>> | undefined;

  const get = <T>(p: string) => readAsUser<T>(backend!.server, p);
  const clusterOf = async (
    entity: string,
  ): Promise<ClusterHealth | undefined> =>
    (
      await get<EntityHealthResponse>(`entity/default/component/${entity}`)
    ).clusters.find(c => c.cluster === CLUSTER);

  beforeAll(async () => {
    cluster = await startTestCluster(CLUSTER);
    const manifest = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        deployment(PROBE, { 'backstage.io/kubernetes-id': PROBE }, 2),
        deployment('sel-web', { app: 'sel', tier: 'web' }),
        deployment('sel-cache', { app: 'sel', tier: 'cache' }),
        deployment('other-web', { app: 'other', tier: 'web' }),
      ],
    };
    await cluster.apply(manifest);

    backend = await startHealthBackend({
      clusters: [
        {
          name: CLUSTER,
          url: cluster.server,
          caFile: cluster.caFile,
          serviceAccountTokenFile: cluster.tokenFile,
          environment: cluster.environment,
        },
      ],
      deploymentHealth: {
        // no watch ends and no periodic relist inside the counted windows
        watchTimeoutSeconds: 3600,
        resyncIntervalSeconds: 3600,
        // three Deployments match `tier in (web,cache)`: a limit of 2 leaves
        // one out. No shared query results: a view that reached the cluster
        // would be counted every time, not hidden by an earlier view's result.
        onDemand: { maxObjectsPerKind: 2, cacheTtlSeconds: 0 },
      },
      tenancy: {
        teamNamespaces: [
          { team: 'team-views', namespaces: [ns] },
          { team: 'team-sel', namespaces: [ns] },
        ],
      },
      entities: [
        group('team-views'),
        group('team-sel'),
        component(PROBE, 'team-views'),
        component('sel-set', 'team-sel', {
          'backstage.io/kubernetes-label-selector':
            'app in (sel),tier notin (cache)',
        }),
        component('sel-any-tier', 'team-sel', {
          'backstage.io/kubernetes-label-selector': 'tier in (web,cache)',
        }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    // this cluster is this test's own (never a bare `down`)
    await stopTestCluster(CLUSTER).catch(() => {});
  });

  it('answers entity and team views with no request to the API server', async () => {
    await waitFor(
      async () => {
        const c = await clusterOf(PROBE);
        return (
          c?.workloads[0]?.rollout.available === 2 &&
          !c.reasons.some(r => r.code === 'ClusterSyncing')
        );
      },
      { what: `${PROBE} synced with 2 available pods`, timeoutMs: 120_000 },
    );

    const before = await readsServedBy(cluster);
    for (let i = 0; i < 20; i++) {
      const c = await clusterOf(PROBE);
      expect(c).toMatchObject({ source: 'cache', status: 'Healthy' });
    }
    for (let i = 0; i < 10; i++) {
      const team = await get<GroupHealthResponse>('group/default/team-views');
      expect(team.entities.map(e => e.entityRef)).toEqual([
        `component:default/${PROBE}`,
      ]);
    }
    expect((await readsServedBy(cluster)) - before).toBe(0);

    // The control: a view of a custom selector does query the cluster, and
    // the same count sees it.
    const beforeQuery = await readsServedBy(cluster);
    expect((await clusterOf('sel-set'))?.source).toBe('query');
    expect((await readsServedBy(cluster)) - beforeQuery).toBeGreaterThan(0);
  });

  it('evaluates a set-based label selector at the API server', async () => {
    const c = await waitFor(
      async () => {
        const h = await clusterOf('sel-set');
        return h?.workloads[0]?.pods.length === 1 && h;
      },
      { what: 'sel-set with its pod', timeoutMs: 120_000 },
    );
    expect(c.source).toBe('query');
    // app in (sel), tier notin (cache): sel-web only, not sel-cache or other-web
    expect(c.workloads.map(w => `${w.kind}/${w.name}`)).toEqual([
      'Deployment/sel-web',
    ]);
    expect(c.workloads[0].pods[0].name).toMatch(/^sel-web-/);
    expect(c.truncated).toBeFalsy();
  });

  it('bounds a selector query by its list limit and says it truncated', async () => {
    let last: ClusterHealth | undefined;
    const c = await waitFor(
      async () => {
        last = await clusterOf('sel-any-tier');
        return last?.truncated && last;
      },
      {
        what: 'sel-any-tier truncated',
        timeoutMs: 60_000,
        describe: () => `last: ${JSON.stringify(last)}`,
      },
    );
    expect(c.source).toBe('query');
    // three Deployments have tier web or cache; the limit of 2 kept two of them
    expect(c.workloads.filter(w => w.kind === 'Deployment')).toHaveLength(2);
  });
});
