import type { ClustersResponse } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  FakeKubeApi,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import {
  getAsUser,
  invokeAction,
  startActionsBackend,
  startFakeCluster,
} from '../__testUtils__/actions';
import { permissionsDenying } from '../__testUtils__/backend';

jest.setTimeout(30_000);

describe('deployment-health:get-clusters-status', () => {
  let api: FakeKubeApi;
  beforeAll(async () => {
    api = await startFakeCluster();
  });
  afterAll(() => api.stop());

  it('answers GET /clusters, from memory', async () => {
    const { server } = await startActionsBackend(api);
    await waitFor(async () => {
      const res = await getAsUser(server, 'clusters');
      return res.body.clusters?.[0]?.state === 'ok';
    });
    const before = api.requests.length;
    const res = await invokeAction(server, 'get-clusters-status', {});
    expect(res.status).toBe(200);
    const output = res.body.output as ClustersResponse;
    expect(output.clusters).toEqual([
      expect.objectContaining({
        name: 'good',
        environment: 'production',
        state: 'ok',
        objectCounts: expect.objectContaining({ Pod: 5, Deployment: 2 }),
      }),
    ]);
    expect(
      api.requests
        .slice(before)
        .filter(r => !r.includes('watch=true') && r !== 'GET /version'),
    ).toEqual([]);
    // same as the REST answer (lastSyncedAt moves with liveness checks: compared apart)
    const rest = (await getAsUser(server, 'clusters')).body as ClustersResponse;
    const stable = (r: ClustersResponse) =>
      r.clusters.map(({ lastSyncedAt, ...c }) => c);
    expect(stable(output)).toEqual(stable(rest));
  });

  it('refuses a caller without deployment-health.clusters.read: NotAllowedError', async () => {
    const { server } = await startActionsBackend(api, {
      permissions: permissionsDenying(
        r => r.permission.name === 'deployment-health.clusters.read',
      ),
    });
    const res = await invokeAction(server, 'get-clusters-status', {});
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      name: 'NotAllowedError',
      message: 'Not allowed to read cluster status',
    });
    expect(res.body.output).toBeUndefined();
  });
});
