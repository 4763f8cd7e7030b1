import { mockCredentials } from '@backstage/backend-test-utils';
import {
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

/*
 * Which form of a report each permission decision gives: details, the
 * restricted summary, or a 403. (The shipped policy making these decisions is
 * tested with this plugin in permission-backend-module-shipyard.)
 */
jest.setTimeout(30_000);

const DETAILS = 'deployment-health.entity.read';
const SUMMARY = 'deployment-health.entity.summary.read';
const LEDGER = 'component:default/ledger-worker';

describe('deployment health access', () => {
  const api = new FakeKubeApi();
  const ledger = deploymentHealthFixtures['prod-ledger-worker-crashloop'];
  beforeAll(async () => {
    await api.start();
    seedFixture(api, ledger);
    seedFixture(api, deploymentHealthFixtures['prod-catalog-api-healthy']);
  });
  afterAll(() => api.stop());

  const start = (deny: (r: any) => boolean) =>
    startHealthBackend({
      clusters: [
        {
          name: 'prod',
          url: api.url,
          environment: 'production',
          serviceAccountToken: 'reader-token',
        },
      ],
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Group',
          metadata: { name: 'team-payments', namespace: 'default' },
          spec: { type: 'team', children: [] },
        },
        component('ledger-worker', 'team-payments', {
          'backstage.io/kubernetes-namespace': 'payments',
        }),
        component('catalog-api', 'team-payments', {
          'backstage.io/kubernetes-namespace': 'storefront',
        }),
      ],
      deploymentHealth: {},
      // the fixtures live in payments and storefront
      tenancy: {
        teamNamespaces: [
          { team: 'team-payments', namespaces: ['payments', 'storefront'] },
        ],
      },
      permissions: permissionsDenying(deny),
    });
  const get = (server: any, url: string) =>
    request(server)
      .get(`/api/deployment-health${url}`)
      .set('Authorization', mockCredentials.user.header());
  const podNames = (ledger.pods as any[]).map(p => p.metadata.name);

  it('entity: without the details permission, the summary with detailsRestricted', async () => {
    const backend = await start(r => r.permission.name === DETAILS);
    try {
      const body = await waitFor(async () => {
        const b = (
          await get(backend.server, '/entity/default/component/ledger-worker')
        ).body as EntityHealthResponse;
        return (
          b.clusters?.[0]?.workloads[0]?.podSummary.total === podNames.length &&
          b
        );
      });
      expect(body).toMatchObject({ status: 'Failed', detailsRestricted: true });
      expect(body.clusters[0].workloads[0].pods).toEqual([]);
      const json = JSON.stringify(body);
      expect(podNames.filter(n => json.includes(n))).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  it('entity: without either permission, 403 naming the permission', async () => {
    const backend = await start(r =>
      [DETAILS, SUMMARY].includes(r.permission.name),
    );
    try {
      const res = await get(
        backend.server,
        '/entity/default/component/ledger-worker',
      );
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        `Not allowed to read deployment health of ${LEDGER} (deployment-health.entity.summary.read)`,
      );
    } finally {
      await backend.stop();
    }
  });

  it('team view with details=true: details per component where allowed, the summary elsewhere', async () => {
    const backend = await start(
      r => r.permission.name === DETAILS && r.resourceRef === LEDGER,
    );
    try {
      const body = await waitFor(async () => {
        const b = (
          await get(backend.server, '/group/default/team-payments?details=true')
        ).body as GroupHealthResponse;
        return b.entities?.every(e => e.clusters[0]?.workloads.length) && b;
      });
      const byRef = Object.fromEntries(
        body.entities.map(e => [e.entityRef, e]),
      );
      expect(byRef[LEDGER].detailsRestricted).toBe(true);
      expect(byRef[LEDGER].clusters[0].workloads[0].pods).toEqual([]);
      const catalogApi = byRef['component:default/catalog-api'];
      expect(catalogApi.detailsRestricted).toBeUndefined();
      expect(catalogApi.clusters[0].workloads[0].pods.length).toBeGreaterThan(
        0,
      );
    } finally {
      await backend.stop();
    }
  });

  it('team view: the group needs only the summary permission', async () => {
    const backend = await start(r => r.permission.name === DETAILS);
    try {
      const res = await get(backend.server, '/group/default/team-payments');
      expect(res.status).toBe(200);
      expect(
        (res.body as GroupHealthResponse).entities.map(e => e.entityRef),
      ).toEqual(['component:default/catalog-api', LEDGER]);
    } finally {
      await backend.stop();
    }
  });
});
