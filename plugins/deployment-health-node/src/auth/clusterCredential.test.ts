import { NotAllowedError } from '@backstage/errors';
import type {
  AuthenticationStrategy,
  ClusterDetails,
} from '@backstage/plugin-kubernetes-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeRequestError } from '../kube/errors';
import { configClusters } from '../__testUtils__/configClusters';

const KEY = 'kubernetes.clusterLocatorMethods[0].clusters';

/** The service over these `type: config` entries and strategies. */
function clustersOf(
  clusters: object[],
  authStrategies: Record<string, AuthenticationStrategy> = {},
) {
  return configClusters(clusters, { authStrategies });
}

/** A strategy that hands out `credentials` in turn and records what it was asked. */
function recordingStrategy(...credentials: any[]) {
  const asked: ClusterDetails[] = [];
  const strategy: AuthenticationStrategy = {
    async getCredential(details) {
      asked.push(details);
      return credentials[Math.min(asked.length - 1, credentials.length - 1)];
    },
    validateCluster: () => [],
    presentAuthMetadata: () => ({}),
  };
  return { strategy, asked };
}

describe('authProvider', () => {
  it('reports an unknown authProvider on its cluster only, naming the config key', async () => {
    const c = clustersOf([
      { name: 'ok', url: 'https://ok', serviceAccountToken: 't' },
      { name: 'odd', url: 'https://odd', authProvider: 'pinniped' },
    ]);
    const [ok, odd] = await c.listClusters();
    expect(ok.configError).toBeUndefined();
    expect(odd.configError).toBe(
      `${KEY}[1].authProvider 'pinniped' is unknown: use serviceAccount, aws, googleServiceAccount or azure, or add a strategy for 'pinniped' with shipyardAuthStrategyServiceRef`,
    );
    await expect(c.getKubeConfig('odd')).rejects.toThrow(
      /cluster 'odd' is misconfigured: .*clusters\[1\]\.authProvider 'pinniped'/,
    );
    expect((await c.getKubeConfig('ok')).getCurrentUser()?.token).toBe('t');
  });

  it('refuses a serviceAccount entry without credentials on that cluster only', async () => {
    const deployer = 'DEPLOYER-SECRET';
    const c = clustersOf([
      { name: 'ok', url: 'https://ok', serviceAccountToken: 't' },
      { name: 'bare', url: 'https://bare', authProvider: 'serviceAccount' },
      // a write identity alone is no read identity: still refused
      {
        name: 'deploy-only',
        url: 'https://d',
        deployerServiceAccountToken: deployer,
      },
      // an empty value (an unset env var) counts as unset
      { name: 'empty', url: 'https://e', serviceAccountToken: '' },
    ]);
    const [ok, ...refused] = await c.listClusters();
    expect(ok.configError).toBeUndefined();
    expect(refused.map(r => r.configError)).toEqual(
      [1, 2, 3].map(
        i =>
          `${KEY}[${i}].serviceAccountToken: authProvider serviceAccount has no credentials: ` +
          `set serviceAccountToken or serviceAccountTokenFile on the entry; for the cluster the ` +
          `backend runs in, set inCluster: true (Shipyard never sends the pod's own token to a configured URL)`,
      ),
    );
    for (const name of ['bare', 'deploy-only', 'empty']) {
      for (const access of ['read', 'deploy'] as const) {
        const error = await c.getKubeConfig(name, access).catch(e => e);
        expect(error.message).toMatch(
          new RegExp(`^cluster '${name}' is misconfigured: `),
        );
        expect(error.message).not.toContain(deployer);
      }
    }
    expect((await c.getKubeConfig('ok')).getCurrentUser()?.token).toBe('t');
  });

  it.each(['google', 'oidc', 'aks'])(
    "explains that client-side '%s' needs a server-side identity",
    async provider => {
      const c = clustersOf([
        {
          name: 'c',
          url: 'https://c',
          authProvider: provider,
          oidcTokenProvider: 'okta',
        },
      ]);
      const [cluster] = await c.listClusters();
      expect(cluster.configError).toContain(
        `${KEY}[0].authProvider '${provider}' signs in with each user's own token`,
      );
      expect(cluster.configError).toContain(
        'serviceAccountToken or serviceAccountTokenFile on the same entry',
      );
    },
  );

  it('reads a client-side cluster with the token set for Shipyard on the same entry', async () => {
    const c = clustersOf([
      {
        name: 'c',
        url: 'https://c',
        authProvider: 'oidc',
        oidcTokenProvider: 'okta',
        serviceAccountToken: 'shipyard-reader',
      },
    ]);
    expect((await c.listClusters())[0].configError).toBeUndefined();
    expect((await c.getKubeConfig('c')).getCurrentUser()?.token).toBe(
      'shipyard-reader',
    );
  });

  it('says to install the upstream package when its strategy is missing', async () => {
    const c = clustersOf([
      { name: 'eks', url: 'https://eks', authProvider: 'aws' },
    ]);
    expect((await c.listClusters())[0].configError).toBe(
      `${KEY}[0].authProvider 'aws' uses the strategy of @backstage/plugin-kubernetes-backend, which this backend cannot load: add that package to the backend's dependencies`,
    );
  });

  it("reports a strategy's validation errors as the cluster's config error", async () => {
    const strategy: AuthenticationStrategy = {
      getCredential: jest.fn(),
      validateCluster: m =>
        m['kubernetes.io/x'] ? [] : [new Error('needs kubernetes.io/x')],
      presentAuthMetadata: () => ({}),
    };
    const c = clustersOf(
      [
        { name: 'a', url: 'https://a', authProvider: 'custom' },
        {
          name: 'b',
          url: 'https://b',
          authProvider: 'custom',
          authMetadata: { 'kubernetes.io/x': '1' },
        },
      ],
      { custom: strategy },
    );
    const [a, b] = await c.listClusters();
    expect(a.configError).toBe(
      `${KEY}[0].authProvider 'custom': Error: needs kubernetes.io/x`,
    );
    expect(b.configError).toBeUndefined();
  });
});

describe('credentials from a strategy', () => {
  it('asks the strategy on every call, with the cluster as upstream describes it', async () => {
    const { strategy, asked } = recordingStrategy(
      { type: 'bearer token', token: 'first' },
      { type: 'bearer token', token: 'second' },
    );
    const c = clustersOf(
      [
        {
          name: 'eks',
          title: 'EKS',
          url: 'https://eks.example.com',
          authProvider: 'aws',
          assumeRole: 'arn:aws:iam::123456789012:role/reader',
          externalId: 'ext-1',
          caData: 'Q0E=',
        },
      ],
      { aws: strategy },
    );
    expect((await c.getKubeConfig('eks')).getCurrentUser()?.token).toBe(
      'first',
    );
    expect((await c.getKubeConfig('eks')).getCurrentUser()?.token).toBe(
      'second',
    );
    expect(asked[0]).toEqual({
      name: 'eks',
      title: 'EKS',
      url: 'https://eks.example.com',
      skipTLSVerify: false,
      caData: 'Q0E=',
      caFile: undefined,
      authMetadata: {
        'kubernetes.io/auth-provider': 'aws',
        'kubernetes.io/aws-assume-role':
          'arn:aws:iam::123456789012:role/reader',
        'kubernetes.io/aws-external-id': 'ext-1',
      },
    });
    // credentials never reach the public cluster description
    expect(JSON.stringify(await c.listClusters())).not.toContain('ext-1');
  });

  it('uses a client certificate credential', async () => {
    const { strategy } = recordingStrategy({
      type: 'x509 client certificate',
      cert: 'CERT-PEM',
      key: 'KEY-PEM',
    });
    const c = clustersOf(
      [{ name: 'x', url: 'https://x', authProvider: 'mtls' }],
      {
        mtls: strategy,
      },
    );
    const user = (await c.getKubeConfig('x')).getCurrentUser();
    expect(Buffer.from(user!.certData!, 'base64').toString()).toBe('CERT-PEM');
    expect(Buffer.from(user!.keyData!, 'base64').toString()).toBe('KEY-PEM');
    expect(user?.token).toBeUndefined();
  });

  it('turns a failing strategy into one error naming the cluster and key, without secrets', async () => {
    const strategy: AuthenticationStrategy = {
      async getCredential() {
        const e: any = new Error(
          'request to https://sts.example.com/?X-Amz-Signature=SIGNATURE-VALUE failed, ' +
            'token=TOKEN-VALUE; Unexpected token in JSON at "{\\"private_key\\":\\"PRIVATE-KEY-VALUE\\""',
        );
        e.code = 'ECONNREFUSED';
        throw e;
      },
      validateCluster: () => [],
      presentAuthMetadata: () => ({}),
    };
    const c = clustersOf(
      [{ name: 'eks', url: 'https://eks', authProvider: 'aws' }],
      {
        aws: strategy,
      },
    );
    const error = await c.getKubeConfig('eks').catch(e => e);
    expect(error).toBeInstanceOf(KubeRequestError);
    expect(error.type).toBe('unauthorized');
    expect(error.message).toMatch(
      /^cluster 'eks': authProvider 'aws' \(kubernetes\.clusterLocatorMethods\[0\]\.clusters\[0\]\.authProvider\) could not get a credential: Error \(ECONNREFUSED\): request to https:\/\/sts\.example\.com\/\?… failed, token=\*\*\*; Unexpected token in JSON at$/,
    );
    for (const secret of [
      'PRIVATE-KEY-VALUE',
      'SIGNATURE-VALUE',
      'TOKEN-VALUE',
    ]) {
      expect(error.message).not.toContain(secret);
    }
  });

  it('deploys only with the deployer token keys, never with the strategy', async () => {
    const { strategy, asked } = recordingStrategy({
      type: 'bearer token',
      token: 'reader',
    });
    const c = clustersOf(
      [
        {
          name: 'with',
          url: 'https://a',
          authProvider: 'aws',
          deployerServiceAccountToken: 'deployer',
        },
        { name: 'without', url: 'https://b', authProvider: 'aws' },
      ],
      { aws: strategy },
    );
    expect(
      (await c.getKubeConfig('with', 'deploy')).getCurrentUser()?.token,
    ).toBe('deployer');
    await expect(c.getKubeConfig('without', 'deploy')).rejects.toThrow(
      NotAllowedError,
    );
    expect(asked).toEqual([]);
  });
});

describe('inCluster', () => {
  const env = { ...process.env };
  let prefix: string;
  beforeEach(() => {
    prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-incluster-'));
    const dir = path.join(
      prefix,
      'var/run/secrets/kubernetes.io/serviceaccount',
    );
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'token'), 'POD-TOKEN');
    fs.writeFileSync(path.join(dir, 'ca.crt'), 'POD-CA');
    process.env.KUBERNETES_SERVICE_HOST = '10.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '443';
  });
  afterEach(() => {
    process.env = { ...env };
  });

  const inCluster = (clusters: object[]) =>
    configClusters(clusters, { inClusterPathPrefix: prefix });

  it('reads its own cluster with the pod token, and no other cluster gets it', async () => {
    const c = inCluster([
      { name: 'self', inCluster: true, environment: 'production' },
      {
        name: 'other',
        url: 'https://other.example.com',
        serviceAccountToken: 'OTHER-TOKEN',
      },
      // no token: upstream would send the pod's here; Shipyard refuses the entry
      { name: 'bare', url: 'https://bare.example.com' },
    ]);
    const [self, other, bare] = await c.listClusters();
    expect(self).toEqual({
      name: 'self',
      environment: 'production',
      url: 'https://10.0.0.1:443',
      source: 'config',
      skipTLSVerify: false,
    });
    expect(other.configError).toBeUndefined();
    const kc = await c.getKubeConfig('self');
    const opts: any = { headers: {} };
    await kc.applyToHTTPSOptions(opts);
    expect(opts.headers.Authorization).toBe('Bearer POD-TOKEN');
    expect(String(opts.ca)).toBe('POD-CA');
    const otherOpts: any = { headers: {} };
    await (await c.getKubeConfig('other')).applyToHTTPSOptions(otherOpts);
    expect(otherOpts.headers.Authorization).toBe('Bearer OTHER-TOKEN');
    expect(bare.configError).toMatch(
      /^kubernetes\.clusterLocatorMethods\[0\]\.clusters\[2\]\.serviceAccountToken: authProvider serviceAccount has no credentials/,
    );
    await expect(c.getKubeConfig('bare')).rejects.toThrow(
      /^cluster 'bare' is misconfigured: /,
    );
  });

  it('accepts only a url that names its own API server', async () => {
    const c = inCluster([
      { name: 'svc', inCluster: true, url: 'https://kubernetes.default.svc' },
      { name: 'env', inCluster: true, url: 'https://10.0.0.1:443/' },
      { name: 'far', inCluster: true, url: 'https://elsewhere.example.com' },
      { name: 'http', inCluster: true, url: 'http://kubernetes.default.svc' },
    ]);
    const list = await c.listClusters();
    expect(list.map(x => [x.url, x.configError])).toEqual([
      ['https://10.0.0.1:443', undefined],
      ['https://10.0.0.1:443', undefined],
      [
        'https://10.0.0.1:443',
        `${KEY}[2].url must name the API server the backend runs in (https://kubernetes.default.svc or https://10.0.0.1:443) with inCluster: the pod's own token is sent nowhere else`,
      ],
      [
        'https://10.0.0.1:443',
        expect.stringContaining(`${KEY}[3].url must name`),
      ],
    ]);
    await expect(c.getKubeConfig('far')).rejects.toThrow(/misconfigured/);
  });

  it('refuses a token or another authProvider next to inCluster', async () => {
    const c = inCluster([
      { name: 'b', inCluster: true, serviceAccountToken: 't' },
      { name: 'c', inCluster: true, authProvider: 'aws' },
    ]);
    const errors = (await c.listClusters()).map(x => x.configError);
    expect(errors).toEqual([
      `${KEY}[0]: inCluster reads with the pod's own token; remove serviceAccountToken/serviceAccountTokenFile or inCluster`,
      `${KEY}[1].authProvider 'aws' cannot be combined with inCluster (the pod's service account)`,
    ]);
  });

  it('is misconfigured outside a pod', async () => {
    delete process.env.KUBERNETES_SERVICE_HOST;
    const c = inCluster([{ name: 'self', inCluster: true }]);
    expect((await c.listClusters())[0].configError).toBe(
      `${KEY}[0].inCluster is set but KUBERNETES_SERVICE_HOST/PORT are not (the backend does not run in a pod)`,
    );
  });

  it('deploys only with the deployer token keys', async () => {
    const c = inCluster([
      {
        name: 'self',
        inCluster: true,
        deployerServiceAccountToken: 'deployer',
      },
      { name: 'ro', inCluster: true },
    ]);
    expect(
      (await c.getKubeConfig('self', 'deploy')).getCurrentUser()?.token,
    ).toBe('deployer');
    await expect(c.getKubeConfig('ro', 'deploy')).rejects.toThrow(
      NotAllowedError,
    );
  });
});
