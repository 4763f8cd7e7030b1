import {
  deploymentHealthReadPermission,
  EntityHealthResponse,
  GroupHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  deploymentHealthFixtures,
  FakeKubeApi,
  seedFixture,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import {
  component,
  permissionsDenying,
  startHealthBackend,
  readAsUser,
} from './__testUtils__/backend';

/*
 * The versions in what the REST API serves, fed by real object dumps: in
 * dev, orders-api is stuck rolling out 0.14.0 → 0.14.1; prod runs 0.13.2.
 */
jest.setTimeout(30_000);

const TEAM = 'team-orders';
const entities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: TEAM, namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  component('orders-api', TEAM),
];

describe('versions in the health reports', () => {
  const dev = new FakeKubeApi();
  const prod = new FakeKubeApi();

  beforeAll(async () => {
    await dev.start();
    await prod.start();
    seedFixture(dev, deploymentHealthFixtures['dev-orders-api-rollout-stuck']);
    seedFixture(prod, deploymentHealthFixtures['prod-orders-api-behind']);
  });
  afterAll(async () => {
    await dev.stop();
    await prod.stop();
  });

  const start = (
    permissions?: Parameters<typeof startHealthBackend>[0]['permissions'],
  ) =>
    startHealthBackend({
      clusters: [
        {
          name: 'dev',
          url: dev.url,
          environment: 'development',
          serviceAccountToken: 'reader-token',
        },
        {
          name: 'prod',
          url: prod.url,
          environment: 'production',
          serviceAccountToken: 'reader-token',
        },
      ],
      entities,
      tenancy: {
        teamNamespaces: [{ team: TEAM, namespaces: ['fixtures-17'] }],
      },
      permissions,
    });

  const get = readAsUser;
  const synced = (e: EntityHealthResponse) =>
    e.clusters.length === 2 &&
    e.clusters.every(c => c.workloads[0]?.version?.replicas.length);

  it('the entity report and the team view carry versions and drift', async () => {
    const backend = await start();
    const { server } = backend;
    try {
      const e = await waitFor(async () => {
        const body = await get<EntityHealthResponse>(
          server,
          'entity/default/component/orders-api',
        );
        return synced(body) && body;
      });
      const [devHealth, prodHealth] = e.clusters;
      expect(devHealth.workloads[0].version).toMatchObject({
        version: '0.14.1',
        chart: { name: 'orders-api', version: '1.4.1' },
        helmRelease: 'orders',
        revision: '2',
        rollout: { from: '0.14.0', to: '0.14.1', state: 'stuck' },
        containers: [
          expect.objectContaining({
            image: 'ghcr.io/shipyard-examples/orders-api:0.14.1',
          }),
        ],
      });
      expect(prodHealth.workloads[0].version?.version).toBe('0.13.2');
      expect(e.versions?.drift).toEqual([
        {
          kind: 'behind',
          workload: { kind: 'Deployment', name: 'orders-api' },
          environment: 'production',
          version: '0.13.2',
          comparedTo: 'development',
          comparedToVersion: '0.14.1',
          since: '2026-12-07T21:49:04.000Z',
        },
      ]);

      const team = await get<GroupHealthResponse>(
        server,
        `group/default/${TEAM}`,
      );
      expect(team.entities[0].versions).toEqual(e.versions);
      expect(
        team.entities[0].clusters.map(c => c.workloads[0].version?.rollout),
      ).toEqual(e.clusters.map(c => c.workloads[0].version?.rollout));
    } finally {
      await backend.stop();
    }
  });

  it('a summary reader sees the versions, not the images', async () => {
    const backend = await start(
      permissionsDenying(
        r => r.permission?.name === deploymentHealthReadPermission.name,
      ),
    );
    const { server } = backend;
    try {
      const e = await waitFor(async () => {
        const body = await get<EntityHealthResponse>(
          server,
          'entity/default/component/orders-api',
        );
        return synced(body) && body;
      });
      expect(e.detailsRestricted).toBe(true);
      expect(e.clusters[0].workloads[0].version).toMatchObject({
        version: '0.14.1',
        containers: [],
      });
      expect(JSON.stringify(e)).not.toContain('ghcr.io');
      expect(e.versions?.drift).toHaveLength(1);
    } finally {
      await backend.stop();
    }
  });
});
