/*
 * Cloud credentials through the whole plugin: upstream's AwsIamStrategy
 * (@backstage/plugin-kubernetes-backend, a devDependency here) run for real (static AWS credentials, no network for the signature) against a
 * local server that records what it is sent and refuses it (401), and an
 * assumeRole whose STS endpoint refuses connections. What the API server
 * received, the signed URL and the AWS secrets must appear in no log line
 * and no response; each failure stays on its own cluster.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import type { ClustersResponse } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { waitFor } from '@shipyard-platform/deployment-health-test-utils';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import {
  capturingRootLogger,
  startHealthBackend,
} from './__testUtils__/backend';

const SECRET_KEY = 'aws-secret-access-key-must-not-leak';
const EXTERNAL_ID = 'external-id-must-not-leak';

jest.setTimeout(60_000);

describe('cloud credentials', () => {
  const env = { ...process.env };
  const received: string[] = [];
  let server: http.Server;

  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = SECRET_KEY;
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_ENDPOINT_URL_STS = 'http://127.0.0.1:9';
    process.env.AWS_MAX_ATTEMPTS = '1';
    // An "API server" that records the Authorization it gets and refuses it.
    server = http.createServer((req, res) => {
      received.push(String(req.headers.authorization ?? ''));
      res.writeHead(401).end('{"kind":"Status","code":401}');
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  });

  afterAll(() => {
    process.env = { ...env };
    server.close();
  });

  it('reports each failure on its own cluster and leaks no credential', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const logger = capturingRootLogger();
    const backend = await startHealthBackend({
      clusters: [
        { name: 'eks', url, authProvider: 'aws' },
        {
          name: 'eks-role',
          url,
          authProvider: 'aws',
          assumeRole: 'arn:aws:iam::123456789012:role/reader',
          externalId: EXTERNAL_ID,
        },
        { name: 'odd', url, authProvider: 'pinniped' },
      ],
      entities: [],
      logger: logger.factory,
    });
    try {
      const clusters = async () =>
        (
          (
            await request(backend.server)
              .get('/api/deployment-health/clusters')
              .set('Authorization', mockCredentials.user.header())
          ).body as ClustersResponse
        ).clusters;
      const all = await waitFor(
        async () => {
          const list = await clusters();
          return list.every(c => c.state === 'error') && list;
        },
        { what: 'every cluster to report its error' },
      );
      const byName = Object.fromEntries(all.map(c => [c.name, c.error]));
      expect(byName.eks).toMatchObject({
        type: 'unauthorized',
        statusCode: 401,
      });
      expect(byName['eks-role']).toMatchObject({
        type: 'unauthorized',
        message: expect.stringMatching(
          /^cluster 'eks-role': authProvider 'aws' \(kubernetes\.clusterLocatorMethods\[0\]\.clusters\[1\]\.authProvider\) could not get a credential: .*ECONNREFUSED 127\.0\.0\.1:9/,
        ),
      });
      expect(byName.odd).toMatchObject({
        type: 'misconfigured',
        message: expect.stringContaining(
          "kubernetes.clusterLocatorMethods[0].clusters[2].authProvider 'pinniped' is unknown",
        ),
      });

      // the EKS token really was presented, to the configured URL only ...
      const token = received.find(h => h.startsWith('Bearer k8s-aws-v1.'));
      expect(token).toBeDefined();
      const signedUrl = Buffer.from(
        token!.slice('Bearer k8s-aws-v1.'.length),
        'base64url',
      ).toString();
      const signature = new URL(signedUrl).searchParams.get('X-Amz-Signature');
      expect(signature).toMatch(/^[0-9a-f]{64}$/);
      // ... and none of it, nor the secrets behind it, is logged or returned
      const everything = `${JSON.stringify(all)}\n${logger.lines.join('\n')}`;
      for (const secret of [
        token!.slice('Bearer '.length),
        signedUrl,
        signature!,
        SECRET_KEY,
        EXTERNAL_ID,
      ]) {
        expect(everything).not.toContain(secret);
      }
    } finally {
      await backend.stop();
    }
  });
});
