import path from 'node:path';
import {
  AuthService,
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  ClustersResponse,
  EntityHealthResponse,
  GroupHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  deploymentHealthFixtures,
  FakeKubeApi,
  nodeFixtures,
  seedFixture,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import deploymentHealthPlugin from '@shipyard-platform/backstage-plugin-deployment-health-backend';
import request from 'supertest';
import { permissionModuleShipyardPolicy } from './module';

/*
 * The policy in a backend as the portal runs it: the real catalog (the
 * example organisation and services of examples/), the permission backend
 * with this module, the permissions service and registry of
 * backend-defaults (so catalog conditions are applied by the catalog), and
 * the deployment-health backend reading a cluster. The cluster is the
 * repository's fast stand-in API server: what is tested here is who sees
 * what, not the reading of Kubernetes.
 */
jest.setTimeout(120_000);

const EXAMPLES = path.resolve(__dirname, '../../../examples');
/** The sign-in's ownership claims (user + memberOf) of the example users. */
const CLAIMS: Record<string, string[]> = {
  'user:default/ada': ['user:default/ada', 'group:default/team-payments'],
  'user:default/grace': ['user:default/grace', 'group:default/team-storefront'],
  'user:default/linus': ['user:default/linus', 'group:default/team-platform'],
};
const userInfoFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials) {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return { userEntityRef: ref, ownershipEntityRefs: CLAIMS[ref] ?? [ref] };
    },
  }),
});

/**
 * The test backend's auth service, except that a token a plugin gets on a
 * user's behalf names the plugin as the actor, as the real one does. The
 * permission backend refuses conditional requests from a user without an
 * actor (they would be the user's own, direct requests), and the catalog
 * makes exactly those when a plugin reads entities as the user.
 */
const authFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory: ({ plugin }) => {
    const base = mockServices.auth({ pluginId: plugin.getId() });
    const auth: AuthService = Object.create(base);
    auth.getPluginRequestToken = async options => {
      const { principal } = options.onBehalfOf as BackstageCredentials<
        BackstageUserPrincipal | BackstageServicePrincipal
      >;
      if (principal.type !== 'user') return base.getPluginRequestToken(options);
      return {
        token: mockCredentials.user.token(principal.userEntityRef, {
          actor: { subject: `plugin:${plugin.getId()}` },
        }),
      };
    };
    return auth;
  },
});

const LEDGER = '/api/deployment-health/entity/default/component/ledger-worker';
const CLUSTERS = '/api/deployment-health/clusters';
const PAYMENTS_TEAM = '/api/deployment-health/group/default/team-payments';

describe('the Shipyard policy in a portal backend', () => {
  const kube = new FakeKubeApi();
  const crashloop = deploymentHealthFixtures['prod-ledger-worker-crashloop'];
  const sick = nodeFixtures['nodes-sick'];
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  const get = (url: string, user: string) =>
    request(backend.server)
      .get(url)
      .set(
        'Authorization',
        mockCredentials.user.header(`user:default/${user}`),
      );

  beforeAll(async () => {
    await kube.start();
    seedFixture(kube, crashloop);
    // node-1 NotReady, node-2 under memory pressure, node-0 cordoned
    for (const node of sick.nodes)
      kube.upsert({ ...node, kind: 'Node' } as any);
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        permissionPlugin,
        permissionModuleShipyardPolicy,
        deploymentHealthPlugin,
        permissionsServiceFactory,
        permissionsRegistryServiceFactory,
        userInfoFactory,
        authFactory,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              rules: [{ allow: ['Component', 'System', 'Group', 'User'] }],
              locations: [
                { type: 'file', target: path.join(EXAMPLES, 'org.yaml') },
                { type: 'file', target: path.join(EXAMPLES, 'services.yaml') },
              ],
            },
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'prod',
                      url: kube.url,
                      environment: 'production',
                      serviceAccountToken: 'reader-token',
                    },
                  ],
                },
              ],
            },
            shipyard: {
              tenancy: {
                platformGroups: ['team-platform'],
                // the example services' namespaces (examples/services.yaml)
                teamNamespaces: [
                  { team: 'team-payments', namespaces: ['payments'] },
                  { team: 'team-storefront', namespaces: ['storefront'] },
                  { team: 'team-platform', namespaces: ['platform'] },
                ],
              },
            },
          },
        }),
      ],
    });
    // The catalog has ingested the examples and the cache holds the pods.
    let last = '';
    await waitFor(
      async () => {
        const res = await get(LEDGER, 'ada');
        last = `${res.status} ${JSON.stringify(res.body).slice(0, 2000)}`;
        return (
          (res.body as EntityHealthResponse).clusters?.[0]?.workloads[0]?.pods
            .length === crashloop.pods!.length
        );
      },
      {
        what: "ada's view of ledger-worker with its pods",
        timeoutMs: 60_000,
        intervalMs: 500,
        describe: () => `last response: ${last}`,
      },
    );
  });
  afterAll(async () => {
    await backend?.stop();
    await kube.stop();
  });

  /** What of the fixture's details a response shows (pod names, images, container and event messages). */
  function detailsIn(body: unknown) {
    const json = JSON.stringify(body);
    const secrets = [
      ...(crashloop.pods as any[]).flatMap(p => [
        p.metadata.name,
        ...p.spec.containers.map((c: any) => c.image),
        ...(p.status.containerStatuses ?? [])
          .map((s: any) => s.state?.waiting?.message)
          .filter(Boolean),
      ]),
      ...(crashloop.events as any[]).map(e => e.message),
    ];
    expect(secrets.length).toBeGreaterThan(3);
    return secrets.filter(s => json.includes(s));
  }

  it('gives ada (team-payments) the details of her team’s service', async () => {
    const res = await get(LEDGER, 'ada');
    expect(res.status).toBe(200);
    const body = res.body as EntityHealthResponse;
    expect(body.detailsRestricted).toBeUndefined();
    expect(body.status).toBe('Failed');
    expect(detailsIn(body).length).toBeGreaterThan(0);
  });

  it('gives grace (team-storefront) only the summary of a team-payments service', async () => {
    const res = await get(LEDGER, 'grace');
    expect(res.status).toBe(200);
    const body = res.body as EntityHealthResponse;
    expect(body).toMatchObject({
      entityRef: 'component:default/ledger-worker',
      status: 'Failed',
      detailsRestricted: true,
    });
    const [cluster] = body.clusters;
    expect(cluster.workloads[0]).toMatchObject({
      name: 'ledger-worker',
      pods: [],
      events: [],
      images: [],
    });
    expect(cluster.workloads[0].podSummary.total).toBe(crashloop.pods!.length);
    expect(body.reasons.map(r => r.code)).toContain('CrashLoopBackOff');
    expect(detailsIn(body)).toEqual([]);
  });

  it('team view: grace gets summaries of team-payments even with details=true; ada and linus get details', async () => {
    const team = async (user: string) => {
      const res = await get(`${PAYMENTS_TEAM}?details=true`, user);
      expect(res.status).toBe(200);
      return res.body as GroupHealthResponse;
    };
    const grace = await team('grace');
    expect(grace.entities.map(e => e.entityRef)).toEqual([
      'component:default/ledger-worker',
      'component:default/payments-api',
    ]);
    expect(grace.entities.every(e => e.detailsRestricted)).toBe(true);
    expect(detailsIn(grace)).toEqual([]);

    for (const user of ['ada', 'linus']) {
      const body = await team(user);
      expect(body.entities.some(e => e.detailsRestricted)).toBe(false);
      expect(detailsIn(body).length).toBeGreaterThan(0);
    }
  });

  it('linus (platform group) reads the details of any team’s service', async () => {
    const body = (await get(LEDGER, 'linus')).body as EntityHealthResponse;
    expect(body.detailsRestricted).toBeUndefined();
    expect(detailsIn(body).length).toBeGreaterThan(0);
  });

  /** What of the nodes' details a response shows: node names, the kubelet version. */
  function nodeDetailsIn(body: unknown) {
    const json = JSON.stringify(body);
    const secrets = [
      ...sick.nodes.map(n => n.metadata!.name!),
      sick.nodes[0].status!.nodeInfo!.kubeletVersion!,
    ];
    return secrets.filter(s => json.includes(s));
  }

  /** GET /clusters as `user` once the node cache holds the three nodes. */
  async function clustersAs(user: string) {
    return waitFor(
      async () => {
        const res = await get(CLUSTERS, user);
        expect(res.status).toBe(200);
        const body = res.body as ClustersResponse;
        return body.clusters[0]?.health?.nodes?.total === 3 && body;
      },
      { what: `${user}'s clusters with 3 nodes`, timeoutMs: 30_000 },
    );
  }

  it('linus (platform group) reads the node details of the clusters', async () => {
    const [prod] = (await clustersAs('linus')).clusters;
    expect(prod.state).toBe('ok');
    expect(prod.health).toMatchObject({
      status: 'Degraded',
      nodes: { ready: 2, total: 3 },
      kubeletVersions: ['kwok-0.8.0'],
      allocatable: { cpuMillis: 24_000 },
    });
    expect(prod.health!.nodeDetailsRestricted).toBeUndefined();
    expect(prod.health!.sickNodes!.map(n => n.name)).toEqual([
      'nodes-it-node-0',
      'nodes-it-node-1',
      'nodes-it-node-2',
    ]);
    expect(nodeDetailsIn(prod).length).toBe(4);
  });

  it('ada (a team) sees each cluster, its health and nodes ready, and no node name, version or capacity', async () => {
    const body = await clustersAs('ada');
    const [prod] = body.clusters;
    expect(prod).toMatchObject({ name: 'prod', state: 'ok' });
    expect(prod.health).toEqual({
      status: 'Degraded',
      nodes: { ready: 2, total: 3 },
      nodeDetailsRestricted: true,
      reasons: [
        expect.objectContaining({ code: 'NodeCordoned', scope: 'node' }),
        expect.objectContaining({ code: 'NodeNotReady', scope: 'node' }),
        expect.objectContaining({ code: 'NodeMemoryPressure', scope: 'node' }),
      ],
    });
    expect(prod.health!.reasons[1].message).toBe(
      'NodeNotReady on 1 node; node details are restricted to the platform team',
    );
    expect(nodeDetailsIn(body)).toEqual([]);

    // nor through the team view's cluster list
    const team = (await get(PAYMENTS_TEAM, 'ada')).body as GroupHealthResponse;
    expect(team.clusters[0].health?.nodeDetailsRestricted).toBe(true);
    expect(nodeDetailsIn(team)).toEqual([]);
  });
});
