import type { GroupHealthResponse } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  FakeKubeApi,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import {
  getAsUser,
  invokeAction,
  startActionsBackend,
  startFakeCluster,
  withoutGeneratedAt,
} from '../__testUtils__/actions';
import { permissionsDenying } from '../__testUtils__/backend';

jest.setTimeout(30_000);

describe('deployment-health:get-team-health', () => {
  let api: FakeKubeApi;
  beforeAll(async () => {
    api = await startFakeCluster();
  });
  afterAll(() => api.stop());

  const synced = (server: any) =>
    waitFor(async () => {
      const body = (await getAsUser(server, 'group/default/team-payments'))
        .body as GroupHealthResponse;
      return (
        body.entities?.length === 2 &&
        body.entities.every(e =>
          e.clusters.some(
            c =>
              c.workloads.length > 0 &&
              !c.reasons.some(r => r.code === 'ClusterSyncing'),
          ),
        )
      );
    });

  it("answers the team view's report, from the cache", async () => {
    const { server } = await startActionsBackend(api);
    await synced(server);
    const before = api.requests.length;
    const res = await invokeAction(server, 'get-team-health', {
      groupRef: 'group:default/team-payments',
    });
    expect(res.status).toBe(200);
    const output = res.body.output as GroupHealthResponse;
    expect(output.groupRef).toBe('group:default/team-payments');
    expect(output.status).toBe('Failed');
    expect(output.entities.map(e => [e.entityRef, e.status])).toEqual([
      ['component:default/catalog-api', 'Healthy'],
      ['component:default/ledger-worker', 'Failed'],
    ]);
    expect(output.clusters.map(c => c.name)).toEqual(['good']);
    expect(
      api.requests
        .slice(before)
        .filter(r => !r.includes('watch=true') && r !== 'GET /version'),
    ).toEqual([]);
    // the team view's form (no pod lists), field for field
    const rest = await getAsUser(server, 'group/default/team-payments');
    expect(withoutGeneratedAt(output)).toEqual(withoutGeneratedAt(rest.body));
    expect(output.entities[1].clusters[0].workloads[0].pods).toEqual([]);
  });

  it('takes a bare team name: kind group, namespace default', async () => {
    const { server } = await startActionsBackend(api);
    const res = await invokeAction(server, 'get-team-health', {
      groupRef: 'team-payments',
      includeChildren: true,
    });
    expect(res.status).toBe(200);
    expect(res.body.output.groupRefs).toEqual(['group:default/team-payments']);
  });

  it('leaves out the services the caller may not read', async () => {
    const { server } = await startActionsBackend(api, {
      permissions: permissionsDenying(
        r =>
          r.permission.name.startsWith('deployment-health.entity') &&
          r.resourceRef === 'component:default/ledger-worker',
      ),
    });
    await waitFor(async () => {
      const res = await invokeAction(server, 'get-team-health', {
        groupRef: 'team-payments',
      });
      return res.body.output?.entities?.length === 1;
    });
    const res = await invokeAction(server, 'get-team-health', {
      groupRef: 'team-payments',
    });
    expect(
      (res.body.output as GroupHealthResponse).entities.map(e => e.entityRef),
    ).toEqual(['component:default/catalog-api']);
  });

  it('refuses a caller who may not read the team: NotAllowedError', async () => {
    const { server } = await startActionsBackend(api, {
      permissions: permissionsDenying(r =>
        r.permission.name.startsWith('deployment-health.entity'),
      ),
    });
    const res = await invokeAction(server, 'get-team-health', {
      groupRef: 'group:default/team-payments',
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('group:default/team-payments'),
    });
    expect(res.body.output).toBeUndefined();
  });

  it('names an unknown group: NotFoundError', async () => {
    const { server } = await startActionsBackend(api);
    const res = await invokeAction(server, 'get-team-health', {
      groupRef: 'group:default/no-such-team',
    });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      name: 'NotFoundError',
      message: 'No group group:default/no-such-team',
    });
  });

  it.each(['group:default/', 'component:default/ledger-worker', 'a b'])(
    'names the field of a malformed or non-group ref %j: InputError',
    async groupRef => {
      const { server } = await startActionsBackend(api);
      const res = await invokeAction(server, 'get-team-health', { groupRef });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(`groupRef "${groupRef}"`),
      });
    },
  );
});
