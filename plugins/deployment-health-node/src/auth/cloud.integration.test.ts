/*
 * The cloud providers end to end against a REAL kube-apiserver (a cluster of
 * its own: authn-it, see __testUtils__/authnCluster), with the cloud side emulated by this test, and upstream's
 * strategies running unchanged:
 * - aws: STS AssumeRole at a local endpoint (AWS_ENDPOINT_URL_STS, which the
 *   AWS SDK supports), checking the role and external ID and issuing
 *   temporary credentials; EKS's authenticator as a token webhook of the API
 *   server (--authentication-token-webhook-config-file): it decodes the
 *   `k8s-aws-v1.` token, checks that it is a presigned STS GetCallerIdentity
 *   for this cluster (x-k8s-aws-id signed) and verifies the SigV4 signature
 *   with the credentials it issued, as STS would.
 * - azure: the App Service managed identity endpoint at a local address
 *   (IDENTITY_ENDPOINT and IDENTITY_HEADER, which Azure's identity library
 *   supports) issuing AKS tokens; the webhook accepts exactly those.
 *   With a client secret or workload identity: Microsoft Entra ID (instance
 *   discovery at login.microsoftonline.com, the tenant's OpenID configuration
 *   and token endpoint at AZURE_AUTHORITY_HOST) through the same kind of
 *   HTTPS proxy (HTTPS_PROXY, which Azure's core pipeline supports); the
 *   federated token is a real service account token of the local apiserver,
 *   checked with a TokenReview (__testUtils__/entraEndpoint).
 * - googleServiceAccount: the GCE metadata server at a local address
 *   (GCE_METADATA_HOST, which Google's auth library supports) issuing access
 *   tokens; the same webhook accepts exactly the tokens it issued, as GKE
 *   would after asking Google. With a service account key: Google's token
 *   endpoint (www.googleapis.com, which gtoken hard-codes) served through an
 *   HTTPS proxy (HTTPS_PROXY, which gaxios supports) with a test CA, checking
 *   the signature of the JWT the SDK signs with the key
 *   (__testUtils__/interceptingProxy, googleKeyEndpoint).
 * Runs with SHIPYARD_INTEGRATION=1:
 *
 *   SHIPYARD_INTEGRATION=1 yarn backstage-cli package test --watchAll=false src/auth/cloud.integration.test.ts
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { LoggerService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { SignatureV4 } from '@smithy/signature-v4';
import { KubeConfig } from '@kubernetes/client-node';
import { describeIntegration } from '@shipyard-platform/deployment-health-test-utils';
import { TestCluster } from '@shipyard-platform/test-cluster';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KubeHttp } from '../kube/kubeHttp';
import { ConfigShipyardClusters } from '../ShipyardClustersService';
import { listNamespaces, whoAmI } from './__testUtils__/kubeIdentity';
import { loadUpstreamStrategies } from './upstreamStrategies';
import {
  authnFiles,
  bindReader,
  startAuthnCluster,
  WEBHOOK_PORT,
} from './__testUtils__/authnCluster';
import {
  entraEndpoint,
  INSTANCE_DISCOVERY_HOST,
} from './__testUtils__/entraEndpoint';
import {
  googleKeyEndpoint,
  serviceAccountKey,
} from './__testUtils__/googleKeyEndpoint';
import {
  InterceptingProxy,
  startInterceptingProxy,
} from './__testUtils__/interceptingProxy';

/** The cluster's name in config, and so the x-k8s-aws-id its EKS tokens sign. */
const CLUSTER = 'eks-it';
const REGION = 'eu-west-1';
const ROLE = 'arn:aws:iam::123456789012:role/shipyard-reader';
const EXTERNAL_ID = `external-${crypto.randomUUID()}`;
const USER = 'eks:shipyard-reader';
const GKE_USER = 'gke:shipyard-reader';
const GKE_KEY_USER = 'gke:shipyard-key-reader';
const AKS_USER = 'aks:shipyard-reader';
const AKS_ENTRA_USER = 'aks:shipyard-entra-reader';
/** The AKS AAD server application that AzureIdentityStrategy asks a token for. */
const AKS_RESOURCE = '6dae42f8-4368-4678-94ff-3960e28e3630';
const IDENTITY_HEADER = `identity-header-${crypto.randomUUID()}`;
const BASE_KEY = {
  id: 'AKIDSHIPYARDBASE',
  secret: `base-${crypto.randomUUID()}`,
};

jest.setTimeout(300_000);

/** Credentials the emulated STS issued: access key id -> secret. */
const issued = new Map<string, string>();
const seenTokens: string[] = [];
/** Access tokens the emulated GCE metadata server issued. */
const googleTokens = new Set<string>();
/** Access tokens the emulated Google token endpoint issued for a key. */
const googleKeyTokens = new Set<string>();
/** Access tokens the emulated Azure managed identity endpoint issued. */
const azureTokens = new Set<string>();
/** Access tokens the emulated Microsoft Entra ID issued. */
const entraTokens = new Set<string>();

/** Emulated App Service managed identity endpoint: tokens for the AKS resource. */
function startManagedIdentityEndpoint() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    if (
      req.headers['x-identity-header'] !== IDENTITY_HEADER ||
      url.searchParams.get('resource') !== AKS_RESOURCE
    ) {
      res.writeHead(400).end('{"error":"invalid_request"}');
      return;
    }
    const token = `aks-${crypto.randomBytes(16).toString('hex')}`;
    azureTokens.add(token);
    res.writeHead(200).end(
      JSON.stringify({
        access_token: token,
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource: AKS_RESOURCE,
        token_type: 'Bearer',
      }),
    );
  });
  return new Promise<http.Server>(r =>
    server.listen(0, '127.0.0.1', () => r(server)),
  );
}

/** Emulated GCE metadata server: detection and the default service account's token. */
function startMetadataServer() {
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: string, type = 'application/text') => {
      res.writeHead(status, {
        'Metadata-Flavor': 'Google',
        'content-type': type,
      });
      res.end(body);
    };
    if (req.headers['metadata-flavor'] !== 'Google') {
      reply(403, 'missing Metadata-Flavor');
    } else if (
      req.url?.startsWith(
        '/computeMetadata/v1/instance/service-accounts/default/token',
      )
    ) {
      const token = `ya29.shipyard-${crypto.randomBytes(16).toString('hex')}`;
      googleTokens.add(token);
      reply(
        200,
        JSON.stringify({
          access_token: token,
          expires_in: 3599,
          token_type: 'Bearer',
        }),
        'application/json',
      );
    } else if (req.url?.startsWith('/computeMetadata/v1/project/project-id')) {
      reply(200, 'shipyard-it');
    } else if (
      req.url === '/computeMetadata/v1/instance' ||
      req.url === '/computeMetadata/v1/' ||
      req.url === '/'
    ) {
      reply(200, '');
    } else {
      reply(404, 'not found');
    }
  });
  return new Promise<http.Server>(r =>
    server.listen(0, '127.0.0.1', () => r(server)),
  );
}

/** Emulated STS: AssumeRole (query protocol) for ROLE with EXTERNAL_ID only. */
function startSts() {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const xml = (status: number, text: string) => {
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(text);
      };
      // the credentials manager of @backstage/integration-aws-node asks who
      // the backend's own credentials are first
      if (form.get('Action') === 'GetCallerIdentity') {
        xml(
          200,
          `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/shipyard-backend</Arn><UserId>AIDASHIPYARD</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
        return;
      }
      if (
        form.get('Action') !== 'AssumeRole' ||
        form.get('RoleArn') !== ROLE ||
        form.get('ExternalId') !== EXTERNAL_ID
      ) {
        xml(
          403,
          `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to assume the role</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
        );
        return;
      }
      const id = `ASIA${crypto.randomBytes(8).toString('hex').toUpperCase()}`;
      const secret = crypto.randomBytes(20).toString('base64');
      issued.set(id, secret);
      xml(
        200,
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>${id}</AccessKeyId>
      <SecretAccessKey>${secret}</SecretAccessKey>
      <SessionToken>session-${id}</SessionToken>
      <Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROASHIPYARD:${form.get('RoleSessionName')}</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/shipyard-reader/${form.get(
        'RoleSessionName',
      )}</Arn>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
</AssumeRoleResponse>`,
      );
    });
  });
  return new Promise<http.Server>(r =>
    server.listen(0, '127.0.0.1', () => r(server)),
  );
}

const amzDate = (s: string) =>
  new Date(
    `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(
      9,
      11,
    )}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`,
  );

/** What STS would do with the presigned GetCallerIdentity: check its signature. */
async function verifyEksToken(token: string): Promise<string | undefined> {
  if (!token.startsWith('k8s-aws-v1.')) return undefined;
  const url = new URL(
    Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString(),
  );
  const q = url.searchParams;
  const [accessKeyId, , region, service] = (
    q.get('X-Amz-Credential') ?? ''
  ).split('/');
  const secretAccessKey = issued.get(accessKeyId);
  if (
    url.hostname !== `sts.${REGION}.amazonaws.com` ||
    q.get('Action') !== 'GetCallerIdentity' ||
    !(q.get('X-Amz-SignedHeaders') ?? '').split(';').includes('x-k8s-aws-id') ||
    !secretAccessKey ||
    region !== REGION ||
    service !== 'sts'
  ) {
    return undefined;
  }
  const signingDate = amzDate(q.get('X-Amz-Date') ?? '');
  if (Math.abs(Date.now() - signingDate.getTime()) > 15 * 60_000)
    return undefined;
  const signer = new SignatureV4({
    credentials: {
      accessKeyId,
      secretAccessKey,
      sessionToken: q.get('X-Amz-Security-Token') ?? undefined,
    },
    region,
    service,
    sha256: Sha256,
  });
  const again = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: url.hostname,
      path: '/',
      headers: { host: url.hostname, 'x-k8s-aws-id': CLUSTER },
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    },
    { signingDate, expiresIn: Number(q.get('X-Amz-Expires') ?? 0) },
  );
  return again.query?.['X-Amz-Signature'] === q.get('X-Amz-Signature')
    ? USER
    : undefined;
}

/** The EKS authenticator as a TokenReview webhook. */
function startWebhook(tls: { key: Buffer; cert: Buffer }) {
  const server = https.createServer(tls, (req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', async () => {
      const review = JSON.parse(body);
      seenTokens.push(review.spec?.token);
      const token = review.spec?.token ?? '';
      let username: string | undefined;
      if (googleTokens.has(token)) username = GKE_USER;
      else if (googleKeyTokens.has(token)) username = GKE_KEY_USER;
      else if (azureTokens.has(token)) username = AKS_USER;
      else if (entraTokens.has(token)) username = AKS_ENTRA_USER;
      else username = await verifyEksToken(token).catch(() => undefined);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          apiVersion: review.apiVersion,
          kind: 'TokenReview',
          status: username
            ? {
                authenticated: true,
                user: { username, groups: ['eks:readers'] },
              }
            : { authenticated: false },
        }),
      );
    });
  });
  return new Promise<https.Server>(r =>
    server.listen(WEBHOOK_PORT, '127.0.0.1', () => r(server)),
  );
}

/**
 * Gives the enclosing describe its own values of these environment
 * variables: each is restored (or removed again) after its tests, so a
 * proxy or identity set on the machine outlives the suite unchanged.
 */
function restoreEnvAfterAll(names: string[]) {
  const saved = new Map<string, string | undefined>();
  beforeAll(() => {
    for (const name of names) saved.set(name, process.env[name]);
  });
  afterAll(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}

/** A logger that keeps every line upstream's strategies log (with their errors). */
function capturingLogger() {
  const lines: string[] = [];
  const logger: any = {
    child: () => logger,
    ...Object.fromEntries(
      ['error', 'warn', 'info', 'debug'].map(level => [
        level,
        (message: string, meta?: unknown) =>
          lines.push(
            `${message} ${
              meta instanceof Error
                ? `${meta.message} ${meta.stack}`
                : JSON.stringify(meta)
            }`,
          ),
      ]),
    ),
  };
  return { logger: logger as LoggerService, lines };
}

/**
 * The service over these config clusters with upstream's strategy for
 * `provider`, loaded as the default factory loads it. `kubernetes` adds
 * config keys beside the clusters.
 */
async function upstreamClusters(
  provider: string,
  clusters: object[],
  options: { kubernetes?: object; logger?: LoggerService } = {},
) {
  const config = new ConfigReader({
    kubernetes: {
      ...options.kubernetes,
      clusterLocatorMethods: [{ type: 'config', clusters }],
    },
  });
  return ConfigShipyardClusters.fromConfig(config, {
    authStrategies: await loadUpstreamStrategies([provider], {
      config,
      logger: options.logger ?? mockServices.logger.mock(),
    }),
  });
}

describeIntegration(
  'aws, googleServiceAccount and azure against emulated cloud endpoints and a token webhook',
  () => {
    const env = { ...process.env };
    let cluster: TestCluster;
    let sts: http.Server;
    let webhook: https.Server;
    let metadata: http.Server;
    let managedIdentity: http.Server;

    beforeAll(async () => {
      const files = await authnFiles();
      webhook = await startWebhook(files.webhookTls);
      sts = await startSts();
      cluster = await startAuthnCluster();
      await bindReader(cluster, 'shipyard-authn-it-eks-reader', USER);
      await bindReader(cluster, 'shipyard-authn-it-gke-reader', GKE_USER);
      await bindReader(cluster, 'shipyard-authn-it-gke-key', GKE_KEY_USER);
      await bindReader(cluster, 'shipyard-authn-it-aks-reader', AKS_USER);
      await bindReader(cluster, 'shipyard-authn-it-aks-entra', AKS_ENTRA_USER);
      managedIdentity = await startManagedIdentityEndpoint();
      process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${
        (managedIdentity.address() as AddressInfo).port
      }/msi/token`;
      process.env.IDENTITY_HEADER = IDENTITY_HEADER;
      metadata = await startMetadataServer();
      process.env.GCE_METADATA_HOST = `127.0.0.1:${
        (metadata.address() as AddressInfo).port
      }`;
      process.env.METADATA_SERVER_DETECTION = 'ping-only';
      process.env.AWS_ACCESS_KEY_ID = BASE_KEY.id;
      process.env.AWS_SECRET_ACCESS_KEY = BASE_KEY.secret;
      process.env.AWS_REGION = REGION;
      process.env.AWS_ENDPOINT_URL_STS = `http://127.0.0.1:${
        (sts.address() as AddressInfo).port
      }`;
      process.env.AWS_MAX_ATTEMPTS = '1';
    });

    afterAll(() => {
      process.env = { ...env };
      sts?.close();
      webhook?.close();
      metadata?.close();
      managedIdentity?.close();
    });

    it('reads as the assumed role with the token of upstream AwsIamStrategy', async () => {
      const clusters = await upstreamClusters('aws', [
        {
          name: CLUSTER,
          url: cluster.server,
          caData: cluster.caData,
          authProvider: 'aws',
          assumeRole: ROLE,
          externalId: EXTERNAL_ID,
        },
        {
          name: 'wrong-id',
          url: cluster.server,
          caData: cluster.caData,
          authProvider: 'aws',
          assumeRole: ROLE,
          externalId: 'not-the-external-id',
        },
      ]);
      const kc = await clusters.getKubeConfig(CLUSTER);
      expect(await whoAmI(kc)).toBe(USER);
      expect(await listNamespaces(kc)).toBeGreaterThan(0);
      // the API server really asked the webhook about an EKS token
      expect(seenTokens.some(t => t?.startsWith('k8s-aws-v1.'))).toBe(true);

      // an external ID the role does not accept: one error, on that cluster only
      const error = await clusters.getKubeConfig('wrong-id').catch(e => e);
      expect(error.message).toMatch(
        /^cluster 'wrong-id': authProvider 'aws' \(kubernetes\.clusterLocatorMethods\[0\]\.clusters\[1\]\.authProvider\) could not get a credential: /,
      );
      expect(error.message).not.toContain('not-the-external-id');
      expect(await whoAmI(await clusters.getKubeConfig(CLUSTER))).toBe(USER);
    });

    it('reads with the access token of upstream GoogleServiceAccountStrategy (application default credentials)', async () => {
      const clusters = await upstreamClusters('googleServiceAccount', [
        {
          name: 'gke',
          url: cluster.server,
          caData: cluster.caData,
          authProvider: 'googleServiceAccount',
        },
      ]);
      const kc = await clusters.getKubeConfig('gke');
      expect(googleTokens.has(kc.getCurrentUser()?.token ?? '')).toBe(true);
      expect(await whoAmI(kc)).toBe(GKE_USER);
      expect(await listNamespaces(kc)).toBeGreaterThan(0);
    });

    describe('googleServiceAccount with a service account key', () => {
      const EMAIL = 'shipyard-reader@shipyard-it.iam.gserviceaccount.com';
      const key = serviceAccountKey(EMAIL);
      // the same account, but a key Google does not know (deleted, or forged)
      const unknownKey = serviceAccountKey(EMAIL);
      let proxy: InterceptingProxy;
      let tmp: string;
      restoreEnvAfterAll([
        'HTTPS_PROXY',
        'NO_PROXY',
        'GOOGLE_APPLICATION_CREDENTIALS',
      ]);

      beforeAll(async () => {
        proxy = await startInterceptingProxy(
          ['www.googleapis.com'],
          googleKeyEndpoint(new Map([[EMAIL, key.publicKey]]), googleKeyTokens),
        );
        process.env.HTTPS_PROXY = proxy.url;
        process.env.NO_PROXY = '127.0.0.1,localhost';
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-gsa-'));
      });

      // each test's own connections only
      beforeEach(() => {
        proxy.connects.length = 0;
      });

      afterAll(async () => {
        await proxy?.close();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
      });

      /** The service over a key-authenticated cluster and a serviceAccount one. */
      const serviceWith = async (
        kubernetes: object,
        logger?: LoggerService,
      ) => {
        return upstreamClusters(
          'googleServiceAccount',
          [
            {
              name: 'gke-key',
              url: cluster.server,
              caData: cluster.caData,
              authProvider: 'googleServiceAccount',
            },
            {
              name: 'plain',
              url: cluster.server,
              caData: cluster.caData,
              serviceAccountToken: cluster.readerToken,
            },
          ],
          { kubernetes, logger },
        );
      };

      const expectKeyIdentity = async (clusters: ConfigShipyardClusters) => {
        const fromMetadata = googleTokens.size;
        const kc = await clusters.getKubeConfig('gke-key');
        // a token the emulated endpoint issued for a JWT signed with the key
        expect(googleKeyTokens.has(kc.getCurrentUser()?.token ?? '')).toBe(
          true,
        );
        expect(googleTokens.size).toBe(fromMetadata); // not from the metadata server
        expect(proxy.connects).toContain('www.googleapis.com');
        expect(await whoAmI(kc)).toBe(GKE_KEY_USER);
        expect(await listNamespaces(kc)).toBeGreaterThan(0);
      };

      it('reads with a key from kubernetes.googleServiceAccountCredentials', async () => {
        await expectKeyIdentity(
          await serviceWith({
            googleServiceAccountCredentials: JSON.stringify(key.json),
          }),
        );
      });

      it('reads with a key file named by GOOGLE_APPLICATION_CREDENTIALS', async () => {
        const file = path.join(tmp, 'key.json');
        fs.writeFileSync(file, JSON.stringify(key.json));
        process.env.GOOGLE_APPLICATION_CREDENTIALS = file;
        try {
          await expectKeyIdentity(await serviceWith({}));
        } finally {
          delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
        }
      });

      it('reports a refused key on its cluster only, without key material', async () => {
        const { logger, lines } = capturingLogger();
        const clusters = await serviceWith(
          { googleServiceAccountCredentials: JSON.stringify(unknownKey.json) },
          logger,
        );
        const error = await clusters.getKubeConfig('gke-key').catch(e => e);
        expect(error.message).toMatch(
          /^cluster 'gke-key': authProvider 'googleServiceAccount' \(kubernetes\.clusterLocatorMethods\[0\]\.clusters\[0\]\.authProvider\) could not get a credential: .*invalid_grant/,
        );
        const pem = unknownKey.json.private_key;
        for (const secret of [
          pem.split('\n')[1],
          unknownKey.json.private_key_id,
          'PRIVATE KEY',
        ]) {
          for (const text of [error.message, ...lines])
            expect(text).not.toContain(secret);
        }
        expect(
          await whoAmI(await clusters.getKubeConfig('plain')),
        ).toBeDefined();
      });
    });

    it('reads with the token of upstream AzureIdentityStrategy (managed identity)', async () => {
      const clusters = await upstreamClusters('azure', [
        {
          name: 'aks',
          url: cluster.server,
          caData: cluster.caData,
          authProvider: 'azure',
        },
      ]);
      const kc = await clusters.getKubeConfig('aks');
      expect(azureTokens.has(kc.getCurrentUser()?.token ?? '')).toBe(true);
      expect(await whoAmI(kc)).toBe(AKS_USER);
      expect(await listNamespaces(kc)).toBeGreaterThan(0);
    });

    it('is refused with a token signed with the wrong secret', async () => {
      // a GetCallerIdentity presigned like AwsIamStrategy's, for a key the
      // emulated STS knows: accepted with its secret, refused with another
      const accessKeyId = 'ASIASHIPYARDTEST';
      const secret = crypto.randomBytes(20).toString('base64');
      issued.set(accessKeyId, secret);
      const tokenSignedWith = async (secretAccessKey: string) => {
        const hostname = `sts.${REGION}.amazonaws.com`;
        const presigned = await new SignatureV4({
          credentials: {
            accessKeyId,
            secretAccessKey,
            sessionToken: `session-${accessKeyId}`,
          },
          region: REGION,
          service: 'sts',
          sha256: Sha256,
        }).presign(
          {
            method: 'GET',
            protocol: 'https:',
            hostname,
            path: '/',
            headers: { host: hostname, 'x-k8s-aws-id': CLUSTER },
            query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
          },
          { expiresIn: 60 },
        );
        const query = new URLSearchParams(
          presigned.query as Record<string, string>,
        );
        return `k8s-aws-v1.${Buffer.from(
          `https://${hostname}/?${query}`,
        ).toString('base64url')}`;
      };
      const kcWith = (token: string) => {
        const kc = new KubeConfig();
        kc.loadFromOptions({
          clusters: [
            { name: 'c', server: cluster.server, caData: cluster.caData },
          ],
          users: [{ name: 'u', token }],
          contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
          currentContext: 'c',
        });
        return kc;
      };
      expect(await whoAmI(kcWith(await tokenSignedWith(secret)))).toBe(USER);
      await expect(
        new KubeHttp(
          kcWith(await tokenSignedWith('not-the-secret')),
          10_000,
        ).getJson('/api/v1/namespaces'),
      ).rejects.toMatchObject({ type: 'unauthorized' });
    });

    describe('azure with Microsoft Entra ID: client secret, workload identity', () => {
      // not Microsoft's: AZURE_AUTHORITY_HOST, as for a sovereign cloud
      const AUTHORITY_HOST = 'login.shipyard.test';
      const TENANT = crypto.randomUUID();
      const CLIENT_ID = crypto.randomUUID();
      const CLIENT_SECRET = `secret-${crypto.randomUUID()}`;
      const FEDERATED_AUDIENCE = 'api://AzureADTokenExchange';
      let proxy: InterceptingProxy;
      let tmp: string;
      restoreEnvAfterAll([
        'IDENTITY_ENDPOINT',
        'IDENTITY_HEADER',
        'HTTPS_PROXY',
        'NO_PROXY',
        'AZURE_AUTHORITY_HOST',
        'AZURE_TENANT_ID',
        'AZURE_CLIENT_ID',
        'AZURE_CLIENT_SECRET',
        'AZURE_FEDERATED_TOKEN_FILE',
      ]);

      /** As Entra checks a federated credential: issuer, subject, audience. */
      const verifyAssertion = async (token: string) => {
        const file = path.join(tmp, `review-${crypto.randomUUID()}.json`);
        fs.writeFileSync(
          file,
          JSON.stringify({
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenReview',
            spec: { token, audiences: [FEDERATED_AUDIENCE] },
          }),
        );
        const review = JSON.parse(
          await cluster.kubectl('create', '-f', file, '-o', 'json'),
        );
        return (
          review.status?.authenticated === true &&
          review.status.user?.username ===
            'system:serviceaccount:shipyard-system:shipyard-health-reader'
        );
      };

      beforeAll(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-entra-'));
        proxy = await startInterceptingProxy(
          [INSTANCE_DISCOVERY_HOST, AUTHORITY_HOST],
          entraEndpoint({
            authorityHost: AUTHORITY_HOST,
            tenantId: TENANT,
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
            verifyAssertion,
            issued: entraTokens,
          }),
        );
      });

      beforeEach(() => {
        // Entra only: no managed identity endpoint to fall back to
        delete process.env.IDENTITY_ENDPOINT;
        delete process.env.IDENTITY_HEADER;
        delete process.env.AZURE_CLIENT_SECRET;
        delete process.env.AZURE_FEDERATED_TOKEN_FILE;
        process.env.HTTPS_PROXY = proxy.url;
        process.env.NO_PROXY = '127.0.0.1,localhost';
        process.env.AZURE_AUTHORITY_HOST = `https://${AUTHORITY_HOST}`;
        process.env.AZURE_TENANT_ID = TENANT;
        process.env.AZURE_CLIENT_ID = CLIENT_ID;
        proxy.connects.length = 0; // each test's own connections only
      });

      afterAll(async () => {
        await proxy?.close();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
      });

      /** Log lines of upstream's strategy (it logs its SDK's errors). */
      const { logger, lines: logged } = capturingLogger();

      /** The service (built now: DefaultAzureCredential reads the environment). */
      const service = async () => {
        return upstreamClusters(
          'azure',
          [
            {
              name: 'aks-entra',
              url: cluster.server,
              caData: cluster.caData,
              authProvider: 'azure',
            },
            {
              name: 'plain',
              url: cluster.server,
              caData: cluster.caData,
              serviceAccountToken: cluster.readerToken,
            },
          ],
          { logger },
        );
      };

      const expectEntraIdentity = async (clusters: ConfigShipyardClusters) => {
        const kc = await clusters.getKubeConfig('aks-entra');
        expect(entraTokens.has(kc.getCurrentUser()?.token ?? '')).toBe(true);
        expect(await whoAmI(kc)).toBe(AKS_ENTRA_USER);
        expect(await listNamespaces(kc)).toBeGreaterThan(0);
        // MSAL asked Microsoft's instance discovery about the authority host
        expect(proxy.connects).toEqual(
          expect.arrayContaining([INSTANCE_DISCOVERY_HOST, AUTHORITY_HOST]),
        );
      };

      it('reads with a client secret (AZURE_CLIENT_SECRET)', async () => {
        process.env.AZURE_CLIENT_SECRET = CLIENT_SECRET;
        await expectEntraIdentity(await service());
      });

      it('reads with workload identity (AZURE_FEDERATED_TOKEN_FILE)', async () => {
        const file = path.join(tmp, 'azure-identity-token');
        fs.writeFileSync(
          file,
          await cluster.createReaderToken({ audience: FEDERATED_AUDIENCE }),
        );
        process.env.AZURE_FEDERATED_TOKEN_FILE = file;
        await expectEntraIdentity(await service());
      });

      it('reports a refused client secret on its cluster only, never the secret', async () => {
        const wrong = `wrong-${crypto.randomUUID()}`;
        process.env.AZURE_CLIENT_SECRET = wrong;
        logged.length = 0;
        const clusters = await service();
        const error = await clusters.getKubeConfig('aks-entra').catch(e => e);
        expect(error.message).toMatch(
          /^cluster 'aks-entra': authProvider 'azure' \(kubernetes\.clusterLocatorMethods\[0\]\.clusters\[0\]\.authProvider\) could not get a credential: [\s\S]*invalid_client/,
        );
        expect(logged.length).toBeGreaterThan(0);
        for (const text of [error.message, ...logged]) {
          expect(text).not.toContain(wrong);
          expect(text).not.toContain(CLIENT_SECRET);
        }
        expect(
          await whoAmI(await clusters.getKubeConfig('plain')),
        ).toBeDefined();
      });
    });
  },
);
