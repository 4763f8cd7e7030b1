import { ConfigReader } from '@backstage/config';
import { CoreV1Api } from '@kubernetes/client-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeHttp } from '../kube/kubeHttp';
import { ConfigShipyardClusters } from '../ShipyardClustersService';

// No keyword before it, so no pattern-based scrubbing would catch it.
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.c2hpcHlhcmQtc2VjcmV0.c2lnbmF0dXJl';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-exec-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The service over one kubeconfig context whose user runs `script` with node. */
function clustersWithPlugin(script: string | undefined) {
  const plugin = path.join(tmp, `plugin-${Math.random()}.js`);
  if (script !== undefined) fs.writeFileSync(plugin, script);
  const kubeconfig = path.join(tmp, `kubeconfig-${Math.random()}`);
  fs.writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // never reached: the plugin runs before a connection is made
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:9' } }],
      users: [
        {
          name: 'u',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command:
                script === undefined
                  ? path.join(tmp, 'missing')
                  : process.execPath,
              args: [plugin],
              interactiveMode: 'Never',
            },
          },
        },
      ],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    }),
  );
  return ConfigShipyardClusters.fromConfig(
    new ConfigReader({
      deploymentHealth: {
        kubeconfigContexts: [{ context: 'ctx', kubeconfig }],
      },
    }),
  );
}

/** The errors of Shipyard's read path and of a generated API client. */
async function errorsOf(clusters: ConfigShipyardClusters) {
  const kc = await clusters.getKubeConfig('ctx');
  return Promise.all([
    new KubeHttp(kc, 5000).getJson('/api/v1/namespaces').catch(e => e),
    kc
      .makeApiClient(CoreV1Api)
      .listNamespace()
      .catch(e => e),
  ]);
}

describe('exec credential plugins of kubeconfig contexts', () => {
  it('never shows the error output of a failing plugin, which may hold a token', async () => {
    const clusters = clustersWithPlugin(
      `process.stderr.write('could not refresh ${TOKEN}: expired\\n'); process.exit(1);`,
    );
    for (const error of await errorsOf(clusters)) {
      expect(String(error.message)).not.toContain(TOKEN);
      expect(error).toMatchObject({
        type: 'unauthorized',
        message:
          "kubeconfig context 'ctx': its exec credential plugin failed (its error output is not shown: it may hold a credential)",
      });
    }
  });

  it('never quotes output that is not an ExecCredential (a bare token)', async () => {
    const clusters = clustersWithPlugin(`process.stdout.write('${TOKEN}');`);
    for (const error of await errorsOf(clusters)) {
      expect(error.type).toBe('unauthorized');
      expect(error.message).toContain('printed no valid ExecCredential JSON');
      expect(error.message).not.toContain(TOKEN.slice(0, 10));
    }
  });

  it('says when the plugin cannot be started', async () => {
    for (const error of await errorsOf(clustersWithPlugin(undefined))) {
      expect(error).toMatchObject({
        type: 'misconfigured',
        message:
          "kubeconfig context 'ctx': its exec credential plugin could not be started (ENOENT)",
      });
    }
  });

  it('presents the credential of a working plugin', async () => {
    const clusters = clustersWithPlugin(
      `process.stdout.write(JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        status: { token: '${TOKEN}' },
      }));`,
    );
    const opts: any = {};
    await (await clusters.getKubeConfig('ctx')).applyToHTTPSOptions(opts);
    expect(opts.headers.Authorization).toBe(`Bearer ${TOKEN}`);
  });
});
