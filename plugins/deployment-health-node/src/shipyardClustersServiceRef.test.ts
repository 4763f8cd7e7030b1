import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import {
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { shipyardAuthStrategyServiceRef } from './auth/authStrategyService';
import { ShipyardClustersService } from './ShipyardClustersService';
import { shipyardClustersServiceRef } from './shipyardClustersServiceRef';

describe('shipyardClustersServiceRef', () => {
  const env = { ...process.env };
  afterEach(() => {
    process.env = { ...env };
  });

  /** Starts a backend on this root config and returns its clusters service. */
  async function start(data: JsonObject, features: any[] = []) {
    let service: ShipyardClustersService | undefined;
    await startTestBackend({
      features: [
        mockServices.rootConfig.factory({ data }),
        ...features,
        createBackendPlugin({
          pluginId: 'consumer',
          register(env2) {
            env2.registerInit({
              deps: { clusters: shipyardClustersServiceRef },
              async init({ clusters: c }) {
                service = c;
              },
            });
          },
        }),
      ],
    });
    return service!;
  }

  /** {@link start} on these config clusters only. */
  const serviceFor = (clusters: JsonObject[], features: any[] = []) =>
    start(
      { kubernetes: { clusterLocatorMethods: [{ type: 'config', clusters }] } },
      features,
    );

  it('has a default factory reading root config', async () => {
    const service = await start({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              { name: 'dev', url: 'https://dev.example.com' },
              { name: 'broken', url: '' },
              { name: 'dev', url: 'https://dup.example.com' },
            ],
          },
          { type: 'localKubectlProxy' },
          { type: 'catalog' },
        ],
      },
    });
    expect((await service.listClusters()).map(x => x.name)).toEqual([
      'dev',
      'broken',
      'dev#2',
      'local',
    ]);
  });

  it('presents the token of upstream AwsIamStrategy, signed for the cluster', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'aws-secret-value-must-not-leak';
    process.env.AWS_REGION = 'eu-west-1';
    const service = await serviceFor([
      { name: 'eks', url: 'https://eks.example.com', authProvider: 'aws' },
    ]);
    const token = (await service.getKubeConfig('eks')).getCurrentUser()?.token;
    // What aws-iam-authenticator (EKS) verifies: a presigned STS
    // GetCallerIdentity URL that signs the x-k8s-aws-id header (the cluster).
    expect(token).toMatch(/^k8s-aws-v1\./);
    const url = new URL(
      Buffer.from(token!.slice('k8s-aws-v1.'.length), 'base64url').toString(),
    );
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIDEXAMPLE\/\d{8}\/eu-west-1\/sts\/aws4_request$/,
    );
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe(
      'host;x-k8s-aws-id',
    );
    expect(JSON.stringify(await service.listClusters())).not.toContain(
      'k8s-aws-v1',
    );
  });

  it('reports an unreachable STS (assumeRole) on that cluster only', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'aws-secret-value-must-not-leak';
    process.env.AWS_ENDPOINT_URL_STS = 'http://127.0.0.1:9';
    process.env.AWS_MAX_ATTEMPTS = '1';
    const service = await serviceFor([
      {
        name: 'eks',
        url: 'https://eks.example.com',
        authProvider: 'aws',
        assumeRole: 'arn:aws:iam::123456789012:role/reader',
        externalId: 'external-id-must-not-leak',
      },
      { name: 'dev', url: 'https://dev.example.com', serviceAccountToken: 't' },
    ]);
    const error = await service.getKubeConfig('eks').catch(e => e);
    expect(error.message).toMatch(
      /^cluster 'eks': authProvider 'aws' \(kubernetes\.clusterLocatorMethods\[0\]\.clusters\[0\]\.authProvider\) could not get a credential: /,
    );
    // the SDK really called the STS endpoint it was pointed at
    expect(error.message).toContain('connect ECONNREFUSED 127.0.0.1:9');
    expect(error.message).not.toMatch(/must-not-leak/);
    expect((await service.getKubeConfig('dev')).getCurrentUser()?.token).toBe(
      't',
    );
  });

  it('uses strategies added with shipyardAuthStrategyServiceRef', async () => {
    const service = await serviceFor(
      [{ name: 'p', url: 'https://p.example.com', authProvider: 'pinniped' }],
      [
        createServiceFactory({
          service: shipyardAuthStrategyServiceRef,
          deps: {},
          factory: () => ({
            authProvider: 'pinniped',
            strategy: {
              getCredential: async () => ({
                type: 'bearer token' as const,
                token: 'from-pinniped',
              }),
              validateCluster: () => [],
              presentAuthMetadata: () => ({}),
            },
          }),
        }),
      ],
    );
    expect((await service.listClusters())[0].configError).toBeUndefined();
    expect((await service.getKubeConfig('p')).getCurrentUser()?.token).toBe(
      'from-pinniped',
    );
  });

  it('refuses a strategy for serviceAccount, which Shipyard serves itself', async () => {
    await expect(
      serviceFor(
        [{ name: 'dev', url: 'https://dev.example.com' }],
        [
          createServiceFactory({
            service: shipyardAuthStrategyServiceRef,
            deps: {},
            factory: () => ({
              authProvider: 'serviceAccount',
              strategy: {} as any,
            }),
          }),
        ],
      ),
    ).rejects.toThrow(
      "a strategy for authProvider 'serviceAccount' cannot be added (Shipyard serves it)",
    );
  });
});
