import { mockCredentials } from '@backstage/backend-test-utils';
import type {
  ClustersResponse,
  EntityHealthResponse,
  GroupHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  FakeKubeApi,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import request from 'supertest';
import { component, startHealthBackend } from './__testUtils__/backend';

/*
 * The global budget of on-demand (custom label selector) queries, counted
 * in the list requests the fake API server receives: queries per team
 * view, lists in flight at once, objects per query. That the queries stay
 * in the owner team's namespaces is tested against the real API server in
 * tenancy.integration.test.ts; the selector semantics (set-based selectors,
 * which the fake does not evaluate as the server does) and the truncation by
 * the list limit (the server's continue token, which the fake never sends)
 * in views.integration.test.ts.
 */
jest.setTimeout(30_000);

const TEAM_NS = 'team-many';
const selectorComponents = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    component(`svc-${String(i).padStart(2, '0')}`, 'team-many', {
      'backstage.io/kubernetes-label-selector': `app=svc-${i}`,
    }),
  );
const teamGroup = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-many', namespace: 'default' },
  spec: { type: 'team', children: [] },
};
/** On-demand lists: namespaced (the watch cache lists cluster-wide). */
const queryLists = (api: FakeKubeApi) =>
  api.requests.filter(
    r => r.includes(`/namespaces/${TEAM_NS}/`) && !r.includes('watch=true'),
  );

describe('on-demand query budget', () => {
  let api: FakeKubeApi;
  beforeEach(async () => {
    api = new FakeKubeApi();
    await api.start();
  });
  afterEach(() => api.stop());

  const start = async (onDemand: object, entities: object[]) => {
    const backend = await startHealthBackend({
      clusters: [
        { name: 'c', url: api.url, serviceAccountToken: 'reader-token' },
      ],
      deploymentHealth: { requestTimeoutSeconds: 1, onDemand },
      entities: [teamGroup, ...entities],
    });
    const get = async <T>(p: string) =>
      (
        await request(backend.server)
          .get(`/api/deployment-health/${p}`)
          .set('Authorization', mockCredentials.user.header())
      ).body as T;
    await waitFor(
      async () =>
        (await get<ClustersResponse>('clusters')).clusters[0]?.state === 'ok',
    );
    return { backend, get };
  };

  it('a team view of many custom-selector components queries only the budget and gives the rest TooManyCustomSelectors', async () => {
    const { backend, get } = await start(
      { maxQueriesPerTeamView: 5 },
      selectorComponents(40),
    );
    try {
      const view = await get<GroupHealthResponse>('group/default/team-many');
      // 5 queries of one list per kind (6) in the team's one namespace
      expect(queryLists(api)).toHaveLength(5 * 6);
      const codes = view.entities.map(e => e.reasons.map(r => r.code));
      expect(codes.filter(c => c[0] === 'TooManyCustomSelectors')).toHaveLength(
        35,
      );
      expect(codes.filter(c => c[0] === 'NotDeployed')).toHaveLength(5);
      const degraded = view.entities.find(
        e => e.reasons[0].code === 'TooManyCustomSelectors',
      )!;
      expect(degraded).toMatchObject({ status: 'Unknown', clusters: [] });
      expect(degraded.reasons[0].message).toContain(
        'deploymentHealth.onDemand.maxQueriesPerTeamView',
      );
      // a component's own page still reads it
      const own = await get<EntityHealthResponse>(
        `entity/default/component/${degraded.entityRef.split('/')[1]}`,
      );
      expect(own.reasons.map(r => r.code)).toEqual(['NotDeployed']);
    } finally {
      await backend.stop();
    }
  });

  it('has at most maxConcurrentLists lists in flight over all requests', async () => {
    const { backend, get } = await start(
      { maxConcurrentLists: 2 },
      selectorComponents(3),
    );
    try {
      api.hangLists = true;
      const views = Promise.all(
        ['svc-00', 'svc-01', 'svc-02'].map(n =>
          get<EntityHealthResponse>(`entity/default/component/${n}`),
        ),
      );
      await new Promise(r => setTimeout(r, 700));
      // 3 queries of 6 lists asked for; 2 reach the server, the rest wait
      expect(queryLists(api)).toHaveLength(2);
      const bodies = await views;
      // each query failed at its first hung lists (the request timeout) and
      // sent none of its others
      expect(queryLists(api)).toHaveLength(3 * 2);
      expect(bodies.map(b => b.clusters[0]?.error?.type)).toEqual([
        'timeout',
        'timeout',
        'timeout',
      ]);
    } finally {
      await backend.stop();
    }
  });

  it('keeps at most maxObjectsPerQuery objects of one query and says it truncated', async () => {
    for (let i = 0; i < 30; i++)
      api.upsert({
        kind: 'Pod',
        metadata: {
          name: `p${i}`,
          namespace: TEAM_NS,
          uid: `u${i}`,
          labels: { app: 'svc-0' },
        },
        status: { phase: 'Running' },
      });
    const { backend, get } = await start(
      { maxObjectsPerQuery: 10 },
      selectorComponents(1),
    );
    try {
      const body = await get<EntityHealthResponse>(
        'entity/default/component/svc-00',
      );
      expect(body.clusters[0]).toMatchObject({
        source: 'query',
        truncated: true,
      });
      expect(body.clusters[0].otherPods).toHaveLength(10);
      expect(queryLists(api).every(r => r.includes('limit=10'))).toBe(true);
    } finally {
      await backend.stop();
    }
  });
});
