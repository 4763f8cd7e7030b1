/*
 * Authentication against a REAL kube-apiserver (scripts/cluster: etcd +
 * kube-apiserver with --client-ca-file, RBAC and service account tokens).
 * Runs with SHIPYARD_INTEGRATION=1 (scripts/test, CI):
 *
 *   SHIPYARD_INTEGRATION=1 yarn backstage-cli package test --watchAll=false src/auth/auth.integration.test.ts
 *
 * Each identity is checked by asking the API server who it authenticated
 * (SelfSubjectReview) and by a list through Shipyard's own read path
 * (KubeHttp), so a credential that is built but not sent cannot pass.
 */
import { ConfigReader } from '@backstage/config';
import type { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';
import {
  describeIntegration,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import { startTestCluster, TestCluster } from '@shipyard-platform/test-cluster';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { KubeHttp } from '../kube/kubeHttp';
import { ConfigShipyardClusters } from '../ShipyardClustersService';
import { listNamespaces, whoAmI } from './__testUtils__/kubeIdentity';
import { configClusters } from '../__testUtils__/configClusters';

const run = promisify(execFile);
const CLUSTER = 'auth-it';
const READER = 'system:serviceaccount:shipyard-system:shipyard-health-reader';
const suffix = Date.now().toString(36);
const CERT_USER = `shipyard-cert-it-${suffix}`;

jest.setTimeout(300_000);

describeIntegration(
  'cluster authentication against the local kube-apiserver',
  () => {
    let cluster: TestCluster;
    let tmp: string;

    beforeAll(async () => {
      cluster = await startTestCluster(CLUSTER);
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-auth-it-'));
    });

    /** The service over a kubeconfig context `context`: this cluster as `user`. */
    function kubeconfigContextClusters(context: string, user: object) {
      const kubeconfig = path.join(tmp, `${context}-kubeconfig`);
      fs.writeFileSync(
        kubeconfig,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [
            {
              name: 'c',
              cluster: {
                server: cluster.server,
                'certificate-authority-data': cluster.caData,
              },
            },
          ],
          users: [{ name: 'u', user }],
          contexts: [{ name: context, context: { cluster: 'c', user: 'u' } }],
        }),
      );
      return ConfigShipyardClusters.fromConfig(
        new ConfigReader({
          deploymentHealth: { kubeconfigContexts: [{ context, kubeconfig }] },
        }),
      );
    }

    afterAll(async () => {
      await cluster
        ?.kubectl(
          'delete',
          'clusterrolebinding',
          CERT_USER,
          '--ignore-not-found',
        )
        .catch(() => {});
      await cluster
        ?.kubectl(
          'delete',
          'secret',
          '-n',
          'shipyard-system',
          `rot-a-${suffix}`,
          `rot-b-${suffix}`,
          '--ignore-not-found',
        )
        .catch(() => {});
    });

    describe('client certificates (kube-apiserver --client-ca-file)', () => {
      let certPem: string;
      let keyPem: string;

      beforeAll(async () => {
        // Signed by the CA that kwokctl passes to the apiserver as
        // --client-ca-file (its pki next to the cluster state).
        const pki = path.join(
          path.dirname(cluster.caFile),
          'kwok/clusters',
          `shipyard-${CLUSTER}`,
          'pki',
        );
        const key = path.join(tmp, 'client.key');
        const csr = path.join(tmp, 'client.csr');
        const crt = path.join(tmp, 'client.crt');
        await run('openssl', ['genrsa', '-out', key, '2048']);
        await run('openssl', [
          'req',
          '-new',
          '-key',
          key,
          '-out',
          csr,
          '-subj',
          `/CN=${CERT_USER}`,
        ]);
        await run('openssl', [
          'x509',
          '-req',
          '-in',
          csr,
          '-CA',
          path.join(pki, 'ca.crt'),
          '-CAkey',
          path.join(pki, 'ca.key'),
          '-CAcreateserial',
          '-out',
          crt,
          '-days',
          '1',
        ]);
        certPem = fs.readFileSync(crt, 'utf8');
        keyPem = fs.readFileSync(key, 'utf8');
        await cluster.kubectl(
          'create',
          'clusterrolebinding',
          CERT_USER,
          '--clusterrole=shipyard-health-reader',
          `--user=${CERT_USER}`,
        );
      });

      it('reads with a kubeconfig context whose user has a client certificate', async () => {
        const clusters = kubeconfigContextClusters('cert', {
          'client-certificate-data': Buffer.from(certPem).toString('base64'),
          'client-key-data': Buffer.from(keyPem).toString('base64'),
        });
        const kc = await clusters.getKubeConfig('cert');
        expect(await whoAmI(kc)).toBe(CERT_USER);
        expect(await listNamespaces(kc)).toBeGreaterThan(0);
      });

      it("presents a strategy's x509 client certificate credential", async () => {
        const strategy: AuthenticationStrategy = {
          getCredential: async () => ({
            type: 'x509 client certificate',
            cert: certPem,
            key: keyPem,
          }),
          validateCluster: () => [],
          presentAuthMetadata: () => ({}),
        };
        const clusters = configClusters(
          [
            {
              name: 'mtls',
              url: cluster.server,
              caData: cluster.caData,
              authProvider: 'mtls',
            },
          ],
          { authStrategies: { mtls: strategy } },
        );
        const kc = await clusters.getKubeConfig('mtls');
        expect(await whoAmI(kc)).toBe(CERT_USER);
        expect(await listNamespaces(kc)).toBeGreaterThan(0);
      });
    });

    it('reads with an exec credential plugin of a kubeconfig context', async () => {
      // A tiny exec plugin: prints an ExecCredential with the token of the
      // file named in its environment, as kubectl's exec plugins do.
      const plugin = path.join(tmp, 'exec-plugin.js');
      fs.writeFileSync(
        plugin,
        `const fs = require('node:fs');
process.stdout.write(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  status: {
    token: fs.readFileSync(process.env.TOKEN_FILE, 'utf8').trim(),
    expirationTimestamp: new Date(Date.now() + 60000).toISOString(),
  },
}));`,
      );
      const clusters = kubeconfigContextClusters('exec', {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: process.execPath,
          args: [plugin],
          env: [{ name: 'TOKEN_FILE', value: cluster.tokenFile }],
          interactiveMode: 'Never',
        },
      });
      const kc = await clusters.getKubeConfig('exec');
      expect(await whoAmI(kc)).toBe(READER);
      expect(await listNamespaces(kc)).toBeGreaterThan(0);
    });

    it('picks up a rotated token file on the next connection, without a restart', async () => {
      // Two tokens of the reader, each bound to a Secret: deleting the Secret
      // revokes its token in the API server.
      const tokenA = await cluster.createReaderToken({
        boundToSecret: `rot-a-${suffix}`,
      });
      const tokenB = await cluster.createReaderToken({
        boundToSecret: `rot-b-${suffix}`,
      });
      const tokenFile = path.join(tmp, 'rotating-token');
      fs.writeFileSync(tokenFile, tokenA);
      const clusters = configClusters([
        {
          name: 'rot',
          url: cluster.server,
          caFile: cluster.caFile,
          serviceAccountTokenFile: tokenFile,
        },
      ]);
      const before = await clusters.getKubeConfig('rot');
      expect(await listNamespaces(before)).toBeGreaterThan(0);

      fs.writeFileSync(tokenFile, `${tokenB}\n`); // as a kubelet projection rotates it
      await cluster.kubectl(
        'delete',
        'secret',
        `rot-a-${suffix}`,
        '-n',
        'shipyard-system',
      );
      // the old token is really revoked (once the API server's token cache
      // lets go of it) ...
      await waitFor(
        () =>
          listNamespaces(before).then(
            () => false,
            e => e.type === 'unauthorized',
          ),
        {
          what: 'the old token to be rejected',
          timeoutMs: 60_000,
          intervalMs: 1000,
        },
      );
      // ... and the same service, unchanged, reads with the new one
      const after = await clusters.getKubeConfig('rot');
      expect(await whoAmI(after)).toBe(READER);
      expect(await listNamespaces(after)).toBeGreaterThan(0);
    });

    it("uses the pod's own service account for inCluster, and sends it nowhere else", async () => {
      // The pod's files, as the kubelet mounts them, under a prefix.
      const prefix = path.join(tmp, 'pod');
      const dir = path.join(
        prefix,
        'var/run/secrets/kubernetes.io/serviceaccount',
      );
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'token'), cluster.readerToken);
      fs.copyFileSync(cluster.caFile, path.join(dir, 'ca.crt'));
      // Another API server (a local HTTP server recording what it receives).
      const seen: Array<string | undefined> = [];
      const other = http.createServer((req, res) => {
        seen.push(req.headers.authorization);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"kind":"APIVersions","versions":["v1"]}');
      });
      await new Promise<void>(r => other.listen(0, '127.0.0.1', r));
      const env = { ...process.env };
      try {
        const { hostname, port } = new URL(cluster.server);
        process.env.KUBERNETES_SERVICE_HOST = hostname;
        process.env.KUBERNETES_SERVICE_PORT = port;
        const otherUrl = `http://127.0.0.1:${
          (other.address() as AddressInfo).port
        }`;
        const clusters = configClusters(
          [
            // the url upstream requires; Shipyard connects to KUBERNETES_SERVICE_HOST/PORT
            {
              name: 'self',
              inCluster: true,
              url: 'https://kubernetes.default.svc',
            },
            // its own token: sent there, never the pod's
            {
              name: 'other',
              url: otherUrl,
              authProvider: 'serviceAccount',
              serviceAccountToken: 'other-token',
            },
            // no token configured: upstream's ServiceAccountStrategy would send
            // the pod's; Shipyard refuses the entry and never connects
            { name: 'bare', url: otherUrl, authProvider: 'serviceAccount' },
          ],
          { inClusterPathPrefix: prefix },
        );
        expect((await clusters.getCluster('self')).url).toBe(cluster.server);
        const self = await clusters.getKubeConfig('self');
        expect(await whoAmI(self)).toBe(READER);
        expect(await listNamespaces(self)).toBeGreaterThan(0);

        await new KubeHttp(await clusters.getKubeConfig('other'), 5000).getJson(
          '/api',
        );
        await expect(clusters.getKubeConfig('bare')).rejects.toThrow(
          /^cluster 'bare' is misconfigured: .*clusters\[2\]\.serviceAccountToken: authProvider serviceAccount has no credentials/,
        );
        expect(seen).toEqual(['Bearer other-token']);
      } finally {
        process.env = env;
        other.close();
      }
    });
  },
);
