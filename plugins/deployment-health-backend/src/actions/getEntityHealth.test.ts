import {
  FakeKubeApi,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import type { EntityHealthResponse } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  getAsUser,
  invokeAction,
  startActionsBackend,
  startFakeCluster,
  withoutGeneratedAt,
} from '../__testUtils__/actions';
import { permissionsDenying } from '../__testUtils__/backend';

jest.setTimeout(30_000);

describe('deployment-health:get-entity-health', () => {
  let api: FakeKubeApi;
  beforeAll(async () => {
    api = await startFakeCluster();
  });
  afterAll(() => api.stop());

  /** Waits until the cache holds ledger-worker's two pods. */
  const synced = (server: any) =>
    waitFor(async () => {
      const res = await getAsUser(
        server,
        'entity/default/component/ledger-worker',
      );
      const c = (res.body as EntityHealthResponse).clusters?.[0];
      return (
        c?.workloads[0]?.pods.length === 2 &&
        !c.reasons.some(r => r.code === 'ClusterSyncing')
      );
    });

  it("answers the entity endpoint's report, from the cache", async () => {
    const { server } = await startActionsBackend(api);
    await synced(server);
    const before = api.requests.length;
    const res = await invokeAction(server, 'get-entity-health', {
      entityRef: 'component:default/ledger-worker',
    });
    expect(res.status).toBe(200);
    const output = res.body.output as EntityHealthResponse;
    expect(output).toMatchObject({
      entityRef: 'component:default/ledger-worker',
      status: 'Failed',
    });
    expect(output.clusters[0].source).toBe('cache');
    expect(output.clusters[0].workloads[0].pods).toHaveLength(2);
    expect(output.clusters[0].workloads[0].events.length).toBeGreaterThan(0);
    expect(output.detailsRestricted).toBeUndefined();
    // nothing listed or read for the action (watches and /version probes are per cluster)
    expect(
      api.requests
        .slice(before)
        .filter(r => !r.includes('watch=true') && r !== 'GET /version'),
    ).toEqual([]);
    // the whole report, field for field: the output schema drops nothing
    const rest = await getAsUser(
      server,
      'entity/default/component/ledger-worker',
    );
    expect(withoutGeneratedAt(output)).toEqual(withoutGeneratedAt(rest.body));
  });

  it('takes a short ref: kind component and namespace default', async () => {
    const { server } = await startActionsBackend(api);
    const res = await invokeAction(server, 'get-entity-health', {
      entityRef: 'catalog-api',
    });
    expect(res.status).toBe(200);
    expect(res.body.output.entityRef).toBe('component:default/catalog-api');
  });

  it('gives a summary reader the summary, exactly as the REST API', async () => {
    const { server } = await startActionsBackend(api, {
      permissions: permissionsDenying(
        r => r.permission.name === 'deployment-health.entity.read',
      ),
    });
    await waitFor(async () => {
      const res = await getAsUser(
        server,
        'entity/default/component/ledger-worker',
      );
      return res.body.clusters?.[0]?.workloads?.length > 0;
    });
    const res = await invokeAction(server, 'get-entity-health', {
      entityRef: 'component:default/ledger-worker',
    });
    expect(res.status).toBe(200);
    const output = res.body.output as EntityHealthResponse;
    expect(output.detailsRestricted).toBe(true);
    expect(output.clusters[0].workloads[0].pods).toEqual([]);
    expect(output.clusters[0].workloads[0].images).toEqual([]);
    const rest = await getAsUser(
      server,
      'entity/default/component/ledger-worker',
    );
    expect(withoutGeneratedAt(output)).toEqual(withoutGeneratedAt(rest.body));
  });

  it('refuses a caller with neither permission: NotAllowedError, no data', async () => {
    const { server } = await startActionsBackend(api, {
      permissions: permissionsDenying(r =>
        r.permission.name.startsWith('deployment-health.entity'),
      ),
    });
    const res = await invokeAction(server, 'get-entity-health', {
      entityRef: 'component:default/ledger-worker',
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('component:default/ledger-worker'),
    });
    expect(res.body.output).toBeUndefined();
  });

  it('names an unknown entity: NotFoundError', async () => {
    const { server } = await startActionsBackend(api);
    const res = await invokeAction(server, 'get-entity-health', {
      entityRef: 'component:default/no-such-service',
    });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      name: 'NotFoundError',
      message: 'No entity component:default/no-such-service',
    });
  });

  it.each(['component:default/', 'a:b/c/d', '', 'component:Has Space'])(
    'names the field of a malformed ref %j: InputError',
    async entityRef => {
      const { server } = await startActionsBackend(api);
      const res = await invokeAction(server, 'get-entity-health', {
        entityRef,
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(`entityRef "${entityRef}"`),
      });
    },
  );

  it('refuses input without entityRef (schema): InputError', async () => {
    const { server } = await startActionsBackend(api);
    const res = await invokeAction(server, 'get-entity-health', {});
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
  });
});
