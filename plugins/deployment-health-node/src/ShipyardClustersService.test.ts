import { ConfigReader } from '@backstage/config';
import { ConfigSources } from '@backstage/config-loader';
import { mockServices } from '@backstage/backend-test-utils';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigShipyardClusters } from './ShipyardClustersService';
import { configClusters } from './__testUtils__/configClusters';

const TOKEN = 'sekret-token-value';

function tmpFile(name: string, content: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-node-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
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
    const c = configClusters([
      {
        name: 'x',
        url: 'https://x',
        serviceAccountTokenFile: tokenFile,
        caFile,
      },
    ]);
    expect((await c.getKubeConfig('x')).getCurrentUser()?.token).toBe('first');
    expect((await c.getKubeConfig('x')).getCurrentCluster()?.caData).toBe(
      Buffer.from('PEM').toString('base64'),
    );
    fs.writeFileSync(tokenFile, 'second');
    expect((await c.getKubeConfig('x')).getCurrentUser()?.token).toBe('second');
  });

  it('gives deploy access only through the separate deployer identity', async () => {
    const deployerFile = tmpFile('deployer-token', 'deployer\n');
    const c = configClusters([
      {
        name: 'with',
        url: 'https://x',
        serviceAccountToken: TOKEN,
        deployerServiceAccountTokenFile: deployerFile,
      },
      { name: 'without', url: 'https://y', serviceAccountToken: TOKEN },
    ]);
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

describe('following the config files', () => {
  it('lists clusters added to, changed in and removed from a watched config file, without a restart', async () => {
    const entry = (name: string, url: string) =>
      `        - { name: ${name}, url: "${url}", serviceAccountToken: ${TOKEN} }\n`;
    const yaml = (...entries: string[]) =>
      `kubernetes:\n  clusterLocatorMethods:\n    - type: config\n      clusters:\n${entries.join(
        '',
      )}`;
    const file = tmpFile('app-config.yaml', yaml(entry('dev', 'https://a')));
    // The backend's own root config: the file source follows its file.
    const config = await ConfigSources.toConfig(
      ConfigSources.default({ argv: ['--config', file] }),
    );
    try {
      const c = ConfigShipyardClusters.fromConfig(config);
      const listed = async () =>
        (await c.listClusters()).map(x => `${x.name}=${x.url}`);
      expect(await listed()).toEqual(['dev=https://a']);

      fs.writeFileSync(
        file,
        yaml(entry('dev', 'https://b'), entry('prod', 'https://c')),
      );
      await waitFor(async () =>
        expect(await listed()).toEqual(['dev=https://b', 'prod=https://c']),
      );
      await expect(c.getCluster('prod')).resolves.toMatchObject({
        url: 'https://c',
      });

      fs.writeFileSync(file, yaml(entry('prod', 'https://c')));
      await waitFor(async () =>
        expect(await listed()).toEqual(['prod=https://c']),
      );
      await expect(c.getCluster('dev')).rejects.toThrow(NotFoundError);
    } finally {
      config.close();
    }
  });
});

/** Retries an expectation until it holds (the file watcher is asynchronous). */
async function waitFor(check: () => Promise<void>, timeoutMs = 4_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise(r => setTimeout(r, 100));
    }
  }
}
