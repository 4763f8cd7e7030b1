import { ConfigReader } from '@backstage/config';
import type { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';
import { ConfigShipyardClusters } from '../ShipyardClustersService';
import { hostAllowed } from './catalogClusters';

const resource = (name: string, annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, annotations },
  spec: { type: 'kubernetes-cluster', owner: 'team-platform' },
});

const eks = (name: string, host: string, more: Record<string, string> = {}) =>
  resource(name, {
    'kubernetes.io/api-server': `https://${host}`,
    'kubernetes.io/api-server-certificate-authority': 'Q0E=',
    'kubernetes.io/auth-provider': 'aws',
    ...more,
  });

const aws: AuthenticationStrategy = {
  getCredential: async () => ({ type: 'bearer token', token: 'eks-token' }),
  validateCluster: () => [],
  presentAuthMetadata: () => ({}),
};

/** The service with a catalog locator (index 1) over `entities()`, re-read every time. */
function withCatalog(
  entities: () => object[],
  locator: object = { allowedApiServerHosts: ['*.eks.amazonaws.com'] },
) {
  let reads = 0;
  const service = ConfigShipyardClusters.fromConfig(
    new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              { name: 'dev', url: 'https://dev', serviceAccountToken: 't' },
            ],
          },
          { type: 'catalog', refreshIntervalSeconds: 0, ...locator },
        ],
      },
    }),
    {
      authStrategies: { aws },
      readCatalogClusters: async () => {
        reads++;
        return entities() as any;
      },
    },
  );
  return { service, reads: () => reads };
}

describe('catalog clusters', () => {
  it('matches hosts exactly or below a *. pattern', () => {
    expect(hostAllowed('a.eks.amazonaws.com', ['*.eks.amazonaws.com'])).toBe(
      true,
    );
    expect(hostAllowed('A.EKS.amazonaws.com', ['*.eks.amazonaws.com'])).toBe(
      true,
    );
    expect(hostAllowed('eks.amazonaws.com', ['*.eks.amazonaws.com'])).toBe(
      false,
    );
    expect(hostAllowed('evil.com', ['*.eks.amazonaws.com'])).toBe(false);
    expect(
      hostAllowed('x.eks.amazonaws.com.evil.com', ['*.eks.amazonaws.com']),
    ).toBe(false);
    expect(hostAllowed('k8s.internal', ['k8s.internal'])).toBe(true);
    expect(hostAllowed('k8s.internal2', ['k8s.internal'])).toBe(false);
  });

  it('adds and removes clusters as the catalog changes, without a restart', async () => {
    let entities: object[] = [];
    const { service } = withCatalog(() => entities);
    expect((await service.listClusters()).map(c => c.name)).toEqual(['dev']);

    entities = [eks('prod-eks', 'abc.gr7.eu-west-1.eks.amazonaws.com')];
    const listed = await service.listClusters();
    expect(listed.map(c => c.name)).toEqual(['dev', 'prod-eks']);
    expect(listed[1]).toEqual({
      name: 'prod-eks',
      environment: 'prod-eks',
      url: 'https://abc.gr7.eu-west-1.eks.amazonaws.com',
      source: 'catalog',
      skipTLSVerify: false,
    });
    const kc = await service.getKubeConfig('prod-eks');
    expect(kc.getCurrentUser()?.token).toBe('eks-token');
    expect(kc.getCurrentCluster()?.caData).toBe('Q0E=');

    entities = [];
    expect((await service.listClusters()).map(c => c.name)).toEqual(['dev']);
    await expect(service.getKubeConfig('prod-eks')).rejects.toThrow(
      "unknown cluster 'prod-eks'",
    );
  });

  it('refuses a host outside the allow-list, naming the allow-list key', async () => {
    const { service } = withCatalog(() => [
      eks('evil', 'attacker.example.com'),
      resource('plain', {
        'kubernetes.io/api-server': 'http://x.eks.amazonaws.com',
        'kubernetes.io/auth-provider': 'aws',
      }),
    ]);
    const [, evil, plain] = await service.listClusters();
    expect(evil.configError).toBe(
      "Resource 'evil': API server host 'attacker.example.com' is not in kubernetes.clusterLocatorMethods[1].allowedApiServerHosts",
    );
    expect(plain.configError).toBe(
      "Resource 'plain': kubernetes.io/api-server must be an https:// URL",
    );
    await expect(service.getKubeConfig('evil')).rejects.toThrow(
      /misconfigured/,
    );
  });

  it('allows no catalog cluster without an allow-list', async () => {
    const { service } = withCatalog(
      () => [eks('prod-eks', 'abc.eks.amazonaws.com')],
      {},
    );
    expect((await service.listClusters())[1].configError).toContain(
      'is not in kubernetes.clusterLocatorMethods[1].allowedApiServerHosts',
    );
  });

  it('refuses token-based and client-side providers and names the annotation of an unknown one', async () => {
    const { service } = withCatalog(() => [
      eks('sa', 'a.eks.amazonaws.com', {
        'kubernetes.io/auth-provider': 'serviceAccount',
        serviceAccountToken: 'catalog-token',
      }),
      eks('sso', 'b.eks.amazonaws.com', {
        'kubernetes.io/auth-provider': 'oidc',
      }),
      eks('odd', 'c.eks.amazonaws.com', {
        'kubernetes.io/auth-provider': 'pinniped',
      }),
    ]);
    const [, sa, sso, odd] = await service.listClusters();
    expect(sa.configError).toMatch(
      /^Resource 'sa': kubernetes.io\/auth-provider 'serviceAccount' cannot be used for a catalog cluster/,
    );
    expect(sso.configError).toMatch(
      /'oidc' cannot be used for a catalog cluster/,
    );
    expect(odd.configError).toBe(
      "annotation kubernetes.io/auth-provider of Resource 'odd' 'pinniped' is unknown: use serviceAccount, aws, googleServiceAccount or azure, or add a strategy for 'pinniped' with shipyardAuthStrategyServiceRef",
    );
    await expect(service.getKubeConfig('sa')).rejects.toThrow(/misconfigured/);
  });

  it('never lets a catalog cluster take a configured name, nor deploy', async () => {
    const { service } = withCatalog(() => [
      eks('dev', 'a.eks.amazonaws.com'),
      eks('prod-eks', 'b.eks.amazonaws.com'),
    ]);
    const list = await service.listClusters();
    expect(list.map(c => [c.name, c.configError])).toEqual([
      ['dev', undefined],
      ['dev#catalog', "duplicate cluster name 'dev'"],
      ['prod-eks', undefined],
    ]);
    expect(
      (await service.getKubeConfig('dev')).getCurrentCluster()?.server,
    ).toBe('https://dev');
    await expect(service.getKubeConfig('prod-eks', 'deploy')).rejects.toThrow(
      /no deploy credentials/,
    );
  });

  it('is off without a catalog locator', async () => {
    let reads = 0;
    const service = ConfigShipyardClusters.fromConfig(
      new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [{ type: 'config', clusters: [] }],
        },
      }),
      {
        readCatalogClusters: async () => {
          reads++;
          return [];
        },
      },
    );
    expect(await service.listClusters()).toEqual([]);
    expect(reads).toBe(0);
  });

  it('keeps the last clusters when the catalog cannot be read', async () => {
    let fail = false;
    const { service } = withCatalog(() => {
      if (fail) throw new Error('catalog down');
      return [eks('prod-eks', 'b.eks.amazonaws.com')];
    });
    expect((await service.listClusters()).map(c => c.name)).toEqual([
      'dev',
      'prod-eks',
    ]);
    fail = true;
    expect((await service.listClusters()).map(c => c.name)).toEqual([
      'dev',
      'prod-eks',
    ]);
  });
});
