/*
 * An OIDC identity for Shipyard, validated by a REAL kube-apiserver through
 * its structured authentication config (--authentication-config, a JWT
 * authenticator) against an issuer served by this test over HTTPS
 * (discovery, JWKS and a client-credentials token endpoint). Runs with
 * SHIPYARD_INTEGRATION=1 on a cluster of its own (authn-it, see
 * __testUtils__/authnCluster):
 *
 *   SHIPYARD_INTEGRATION=1 yarn backstage-cli package test --watchAll=false src/auth/oidc.integration.test.ts
 *
 * Upstream's `oidc` provider forwards each signed-in user's token, which a
 * shared watch does not have; the server-side way is a strategy that gets
 * Shipyard its own token (here: OAuth client credentials), added with
 * shipyardAuthStrategyServiceRef.
 */
import type { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';
import {
  describeIntegration,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import { TestCluster } from '@shipyard-platform/test-cluster';
import crypto from 'node:crypto';
import https from 'node:https';
import { KubeHttp } from '../kube/kubeHttp';
import { listNamespaces, whoAmI } from './__testUtils__/kubeIdentity';
import {
  AUDIENCE,
  authnFiles,
  AuthnFiles,
  bindReader,
  ISSUER,
  ISSUER_PORT,
  startAuthnCluster,
} from './__testUtils__/authnCluster';
import { configClusters } from '../__testUtils__/configClusters';

const SUBJECT = 'shipyard-oidc-reader';
const USER = `oidc:${SUBJECT}`;
const CLIENT_SECRET = `client-secret-${crypto.randomUUID()}`;

jest.setTimeout(300_000);

const b64url = (v: object) =>
  Buffer.from(JSON.stringify(v)).toString('base64url');

/** An access token for SUBJECT from ISSUER, valid for five minutes, signed with `key`. */
function accessToken(key: crypto.KeyObject) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: SUBJECT,
    iat: now,
    nbf: now,
    exp: now + 300,
  };
  const head = `${b64url({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${b64url(
    claims,
  )}`;
  return `${head}.${crypto
    .sign('sha256', Buffer.from(head), key)
    .toString('base64url')}`;
}

/** Discovery, JWKS and a client-credentials token endpoint. */
function startIssuer(files: AuthnFiles) {
  const jwk = {
    ...crypto.createPublicKey(files.signingKey).export({ format: 'jwk' }),
    kid: 'k1',
    use: 'sig',
    alg: 'RS256',
  };
  const server = https.createServer(files.issuerTls, (req, res) => {
    const json = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration') {
      json(200, {
        issuer: ISSUER,
        jwks_uri: `${ISSUER}/jwks`,
        token_endpoint: `${ISSUER}/token`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    } else if (req.url === '/jwks') {
      json(200, { keys: [jwk] });
    } else if (req.url === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', c => (body += c));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        if (form.get('client_secret') !== CLIENT_SECRET) {
          json(401, { error: 'invalid_client' });
          return;
        }
        json(200, {
          access_token: accessToken(files.signingKey),
          token_type: 'Bearer',
          expires_in: 300,
        });
      });
    } else {
      json(404, {});
    }
  });
  return new Promise<https.Server>(r =>
    server.listen(ISSUER_PORT, '127.0.0.1', () => r(server)),
  );
}

/**
 * An adopter's strategy: OAuth client credentials at the issuer, asked on
 * every connection (the token lasts 5 minutes).
 */
function clientCredentialsStrategy(
  ca: Buffer,
  secret: string,
): AuthenticationStrategy {
  return {
    async getCredential() {
      const token = await new Promise<string>((resolve, reject) => {
        const req = https.request(
          `${ISSUER}/token`,
          {
            method: 'POST',
            ca,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          },
          res => {
            let body = '';
            res.on('data', c => (body += c));
            res.on('end', () =>
              res.statusCode === 200
                ? resolve(JSON.parse(body).access_token)
                : reject(
                    new Error(`token endpoint answered ${res.statusCode}`),
                  ),
            );
          },
        );
        req.on('error', reject);
        req.end(
          new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: 'shipyard',
            client_secret: secret,
          }).toString(),
        );
      });
      return { type: 'bearer token', token };
    },
    validateCluster: () => [],
    presentAuthMetadata: () => ({}),
  };
}

describeIntegration('an OIDC identity validated by the kube-apiserver', () => {
  let cluster: TestCluster;
  let issuer: https.Server;
  let files: AuthnFiles;

  beforeAll(async () => {
    files = await authnFiles();
    issuer = await startIssuer(files);
    cluster = await startAuthnCluster();
    await bindReader(cluster, 'shipyard-authn-it-oidc-reader', USER);
  });

  afterAll(() => {
    issuer?.close();
  });

  const clustersWith = (strategy: AuthenticationStrategy) =>
    configClusters(
      [
        {
          name: 'oidc',
          url: cluster.server,
          caData: cluster.caData,
          authProvider: 'oidc-client-credentials',
        },
      ],
      { authStrategies: { 'oidc-client-credentials': strategy } },
    );

  it("reads with the issuer's token, which the API server validates against the issuer's keys", async () => {
    const clusters = clustersWith(
      clientCredentialsStrategy(files.issuerTls.cert, CLIENT_SECRET),
    );
    // the API server fetches discovery and JWKS in the background after a start
    const kc = await waitFor(
      async () => {
        const k = await clusters.getKubeConfig('oidc');
        return (await whoAmI(k)) === USER && k;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 2000,
        what: 'the API server to accept the OIDC token',
      },
    );
    expect(await listNamespaces(kc)).toBeGreaterThan(0);
  });

  it('rejects a token signed by another key, and reports a refused client on its cluster', async () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', {
      modulusLength: 2048,
    });
    const forged = accessToken(privateKey);
    const kc = await clustersWith({
      getCredential: async () => ({ type: 'bearer token', token: forged }),
      validateCluster: () => [],
      presentAuthMetadata: () => ({}),
    }).getKubeConfig('oidc');
    await expect(
      new KubeHttp(kc, 10_000).getJson('/api/v1/namespaces'),
    ).rejects.toMatchObject({ type: 'unauthorized' });

    const error = await clustersWith(
      clientCredentialsStrategy(files.issuerTls.cert, 'wrong-secret'),
    )
      .getKubeConfig('oidc')
      .catch(e => e);
    expect(error.message).toBe(
      "cluster 'oidc': authProvider 'oidc-client-credentials' (kubernetes.clusterLocatorMethods[0].clusters[0].authProvider) could not get a credential: Error: token endpoint answered 401",
    );
  });
});
