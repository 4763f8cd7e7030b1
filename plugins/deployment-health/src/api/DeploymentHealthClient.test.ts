import { exampleHealthyEntity } from '@shipyard-platform/deployment-health-test-utils';
import { DeploymentHealthClient } from './DeploymentHealthClient';

describe('DeploymentHealthClient', () => {
  const discoveryApi = {
    getBaseUrl: jest.fn(async () => 'http://backend/api/deployment-health'),
  };

  it('calls the entity, group and clusters routes with the authenticated fetch', async () => {
    const fetch = jest.fn(
      async () => new Response(JSON.stringify(exampleHealthyEntity)),
    );
    const client = new DeploymentHealthClient({
      discoveryApi,
      fetchApi: { fetch: fetch as any },
    });
    await expect(
      client.getEntityHealth({ kind: 'Component', name: 'payments api' }),
    ).resolves.toEqual(exampleHealthyEntity);
    await client.getGroupHealth(
      { namespace: 'default', name: 'team-payments' },
      { includeChildren: true },
    );
    await client.getClusters();
    expect(fetch.mock.calls.map((c: any[]) => c[0])).toEqual([
      'http://backend/api/deployment-health/entity/default/component/payments%20api',
      'http://backend/api/deployment-health/group/default/team-payments?includeChildren=true',
      'http://backend/api/deployment-health/clusters',
    ]);
    expect(discoveryApi.getBaseUrl).toHaveBeenCalledWith('deployment-health');
  });

  it('throws a ResponseError on failure', async () => {
    const client = new DeploymentHealthClient({
      discoveryApi,
      fetchApi: {
        fetch: (async () =>
          new Response(
            JSON.stringify({
              error: { name: 'NotAllowedError', message: 'nope' },
            }),
            { status: 403, headers: { 'Content-Type': 'application/json' } },
          )) as any,
      },
    });
    await expect(client.getClusters()).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 403,
    });
  });
});
