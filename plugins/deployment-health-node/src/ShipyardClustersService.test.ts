import { ConfigReader } from '@backstage/config';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ConfigShipyardClusters,
  shipyardClustersServiceRef,
  ShipyardClustersService,
} from './ShipyardClustersService';
import { shipyardAuthStrategyServiceRef } from './auth/authStrategyService';

const TOKEN = 'sekret-token-value';

function tmpFile(name: string, content: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-node-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** The service over the given `type: config` cluster entries only. */
function configClusters(...clusters: object[]) {
  return ConfigShipyardClusters.fromConfig(
    new ConfigReader({
      kubernetes: { clusterLocatorMethods: [{ type: 'config', clusters }] },
    }),
  );
}

const data = {
  kubernetes: {
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: [
          {
            name: 'dev',
            url: 'https://127.0.0.1:26443',
            environment: 'development',
            serviceAccountToken: TOKEN,
            caData: Buffer.from('-----BEGIN CERTIFICATE-----\n').toString(
              'base64',
            ),
          },
          { name: 'broken', url: '' },
          { name: 'dev', url: 'https://dup.example.com' },
          { name: 'ftp', url: 'ftp://x' },
        ],
      },
      { type: 'localKubectlProxy' },
      { type: 'catalog' },
    ],
  },
};

describe('ConfigShipyardClusters', () => {
  const clusters = ConfigShipyardClusters.fromConfig(new ConfigReader(data));

  it('lists clusters without credentials and flags bad entries', async () => {
    const list = await clusters.listClusters();
    expect(list.map(c => [c.name, c.environment, c.configError])).toEqual([
      ['dev', 'development', undefined],
      ['broken', 'broken', 'missing url'],
      ['dev#2', 'dev', "duplicate cluster name 'dev'"],
      ['ftp', 'ftp', 'unsupported url protocol ftp:'],
      ['local', 'local', undefined],
    ]);
    expect(JSON.stringify(list)).not.toContain(TOKEN);
    expect(list[4]).toMatchObject({
      url: 'http://localhost:8001',
      source: 'localKubectlProxy',
    });
  });

  it('builds a KubeConfig with token and CA', async () => {
    const kc = await clusters.getKubeConfig('dev');
    expect(kc.getCurrentCluster()).toMatchObject({
      name: 'dev',
      server: 'https://127.0.0.1:26443',
      skipTLSVerify: false,
    });
    expect(kc.getCurrentUser()?.token).toBe(TOKEN);
  });

  it('rejects unknown and misconfigured clusters', async () => {
    await expect(clusters.getKubeConfig('nope')).rejects.toThrow(NotFoundError);
    await expect(clusters.getKubeConfig('broken')).rejects.toThrow(
      /misconfigured: missing url/,
    );
  });

  it('reads token and CA files on each call', async () => {
    const tokenFile = tmpFile('token', 'first\n');
    const caFile = tmpFile('ca.crt', 'PEM');
    const c = configClusters({
      name: 'x',
      url: 'https://x',
      serviceAccountTokenFile: tokenFile,
      caFile,
    });
    expect((await c.getKubeConfig('x')).getCurrentUser()?.token).toBe('first');
    expect((await c.getKubeConfig('x')).getCurrentCluster()?.caData).toBe(
      Buffer.from('PEM').toString('base64'),
    );
    fs.writeFileSync(tokenFile, 'second');
    expect((await c.getKubeConfig('x')).getCurrentUser()?.token).toBe('second');
  });

  it('gives deploy access only through the separate deployer identity', async () => {
    const deployerFile = tmpFile('deployer-token', 'deployer\n');
    const c = configClusters(
      {
        name: 'with',
        url: 'https://x',
        serviceAccountToken: TOKEN,
        deployerServiceAccountTokenFile: deployerFile,
      },
      { name: 'without', url: 'https://y', serviceAccountToken: TOKEN },
    );
    expect((await c.getKubeConfig('with')).getCurrentUser()?.token).toBe(TOKEN);
    expect(
      (await c.getKubeConfig('with', 'deploy')).getCurrentUser()?.token,
    ).toBe('deployer');
    await expect(c.getKubeConfig('without', 'deploy')).rejects.toThrow(
      NotAllowedError,
    );
    await expect(c.getKubeConfig('without', 'deploy')).rejects.toThrow(
      /cluster 'without' has no deploy credentials: set deployerServiceAccountToken/,
    );
  });

  it('reads kubeconfig contexts', async () => {
    const kubeconfig = tmpFile(
      'config',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'kc', cluster: { server: 'https://10.0.0.1:6443' } },
        ],
        users: [{ name: 'u', user: { token: TOKEN } }],
        contexts: [{ name: 'ctx', context: { cluster: 'kc', user: 'u' } }],
        'current-context': 'ctx',
      }),
    );
    const c = ConfigShipyardClusters.fromConfig(
      new ConfigReader({
        deploymentHealth: {
          kubeconfigContexts: [
            { context: 'ctx', kubeconfig, environment: 'staging' },
            { context: 'missing', kubeconfig },
          ],
        },
      }),
    );
    const list = await c.listClusters();
    expect(list[0]).toEqual({
      name: 'ctx',
      environment: 'staging',
      url: 'https://10.0.0.1:6443',
      source: 'kubeconfig',
      skipTLSVerify: false,
    });
    expect(list[1].configError).toMatch(/context not found/);
    expect((await c.getKubeConfig('ctx')).getCurrentUser()?.token).toBe(TOKEN);
  });

  it('never quotes a broken kubeconfig (which may hold a token) in its error', async () => {
    const kubeconfig = tmpFile(
      'config',
      `users:\n- name: u\n  user:\n    token: ${TOKEN}\n  : : bad: [yaml\n`,
    );
    const c = ConfigShipyardClusters.fromConfig(
      new ConfigReader({
        deploymentHealth: {
          kubeconfigContexts: [{ context: 'ctx', kubeconfig }],
        },
      }),
    );
    const [cluster] = await c.listClusters();
    expect(cluster.configError).toMatch(/cannot read kubeconfig context 'ctx'/);
    expect(cluster.configError).not.toContain(TOKEN);
  });

  it('starts with no kubernetes config at all', async () => {
    const empty = ConfigShipyardClusters.fromConfig(new ConfigReader({}));
    expect(await empty.listClusters()).toEqual([]);
  });
});

describe('shipyardClustersServiceRef', () => {
  it('has a default factory reading root config', async () => {
    let names: string[] = [];
    await startTestBackend({
      features: [
        mockServices.rootConfig.factory({ data }),
        createBackendPlugin({
          pluginId: 'consumer',
          register(env) {
            env.registerInit({
              deps: { clusters: shipyardClustersServiceRef },
              async init({ clusters: c }) {
                names = (await c.listClusters()).map(x => x.name);
              },
            });
          },
        }),
      ],
    });
    expect(names).toEqual(['dev', 'broken', 'dev#2', 'ftp', 'local']);
  });
});

describe('authentication strategies of the default factory', () => {
  const env = { ...process.env };
  afterEach(() => {
    process.env = { ...env };
  });

  /** Starts a backend on these config clusters and returns its clusters service. */
  async function serviceFor(clusters: object[], features: any[] = []) {
    let service: ShipyardClustersService | undefined;
    await startTestBackend({
      features: [
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [{ type: 'config', clusters }],
            },
          },
        }),
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

describe('start-up warnings', () => {
  it('logs unusable entries, including a serviceAccount entry without a token, never the catalog', async () => {
    const logger = mockServices.logger.mock();
    const readCatalogClusters = jest.fn(async () => []);
    ConfigShipyardClusters.fromConfig(
      new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                { name: 'ok', url: 'https://ok', serviceAccountToken: TOKEN },
                { name: 'odd', url: 'https://odd', authProvider: 'pinniped' },
                { name: 'bare', url: 'https://bare' },
              ],
            },
            { type: 'catalog', allowedApiServerHosts: ['*.example.com'] },
          ],
        },
      }),
      { logger, readCatalogClusters },
    );
    expect(logger.warn.mock.calls.map(c => c[0])).toEqual([
      "Cluster 'odd' is misconfigured: kubernetes.clusterLocatorMethods[0].clusters[1].authProvider 'pinniped' is unknown: use serviceAccount, aws, googleServiceAccount or azure, or add a strategy for 'pinniped' with shipyardAuthStrategyServiceRef",
      "Cluster 'bare' is misconfigured: kubernetes.clusterLocatorMethods[0].clusters[2].serviceAccountToken: authProvider serviceAccount has no credentials: set serviceAccountToken or serviceAccountTokenFile on the entry; for the cluster the backend runs in, set inCluster: true (Shipyard never sends the pod's own token to a configured URL)",
    ]);
    expect(readCatalogClusters).not.toHaveBeenCalled();
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(TOKEN);
  });
});
