/**
 * One local cluster (authn-it) whose kube-apiserver has two more
 * authenticators, for the OIDC and cloud integration tests:
 * - a JWT authenticator (--authentication-config) trusting the issuer that
 *   oidc.integration.test.ts serves on ISSUER_PORT;
 * - a token webhook (--authentication-token-webhook-config-file) that
 *   cloud.integration.test.ts serves on WEBHOOK_PORT.
 * The files the flags name, the TLS keys and the JWT signing key are made
 * once per machine (in the temp dir) and never change, so a cluster reused
 * from an earlier run keeps trusting the servers a new run starts.
 */
import { startTestCluster, TestCluster } from '@shipyard-platform/test-cluster';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selfSigned } from './selfSigned';

export const AUTHN_CLUSTER = 'authn-it';
export const ISSUER_PORT = Number(
  process.env.SHIPYARD_AUTHN_IT_ISSUER_PORT ?? 26989,
);
export const WEBHOOK_PORT = Number(
  process.env.SHIPYARD_AUTHN_IT_WEBHOOK_PORT ?? 26988,
);
export const ISSUER = `https://127.0.0.1:${ISSUER_PORT}`;
export const AUDIENCE = 'shipyard';
const dir = path.join(os.tmpdir(), 'shipyard-authn-it');

export interface AuthnFiles {
  issuerTls: { key: Buffer; cert: Buffer };
  webhookTls: { key: Buffer; cert: Buffer };
  signingKey: crypto.KeyObject;
}

/** `<name>.key` and `<name>.crt` in `into`, for a server on 127.0.0.1. */
async function serverCertificate(into: string, name: string) {
  await selfSigned({
    key: path.join(into, `${name}.key`),
    cert: path.join(into, `${name}.crt`),
    commonName: `shipyard-${name}`,
    days: 3650,
    extensions: ['subjectAltName=IP:127.0.0.1'],
  });
}

/**
 * Files made for other ports (the defaults moved, or the env overrides
 * differ) would point the API server at servers nobody runs: every token is
 * then refused with a bare 401. Say so instead.
 */
function checkPorts() {
  const webhook = fs.readFileSync(path.join(dir, 'webhook.json'), 'utf8');
  const authn = fs.readFileSync(path.join(dir, 'authentication.yaml'), 'utf8');
  if (
    !webhook.includes(`https://127.0.0.1:${WEBHOOK_PORT}/`) ||
    !authn.includes(`url: ${ISSUER}\n`)
  ) {
    throw new Error(
      `${dir} was made for other issuer/webhook ports than ${ISSUER_PORT}/${WEBHOOK_PORT}, ` +
        `and an ${AUTHN_CLUSTER} cluster started with it keeps using it: run 'scripts/cluster down ${AUTHN_CLUSTER}' ` +
        `and remove ${dir}, or set SHIPYARD_AUTHN_IT_ISSUER_PORT/SHIPYARD_AUTHN_IT_WEBHOOK_PORT to its ports`,
    );
  }
}

/** Makes the files once; parallel test files race safely (atomic rename). */
async function ensureFiles() {
  if (fs.existsSync(dir)) {
    checkPorts();
    return;
  }
  const tmp = fs.mkdtempSync(`${dir}-`);
  await serverCertificate(tmp, 'issuer');
  await serverCertificate(tmp, 'webhook');
  const { privateKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
  });
  fs.writeFileSync(
    path.join(tmp, 'signing.pem'),
    privateKey.export({ type: 'pkcs8', format: 'pem' }),
  );
  const indent = (pem: string) =>
    pem
      .trim()
      .split('\n')
      .map(l => `        ${l}`);
  fs.writeFileSync(
    path.join(tmp, 'authentication.yaml'),
    [
      'apiVersion: apiserver.config.k8s.io/v1',
      'kind: AuthenticationConfiguration',
      'jwt:',
      '  - issuer:',
      `      url: ${ISSUER}`,
      `      audiences: [${AUDIENCE}]`,
      '      certificateAuthority: |',
      ...indent(fs.readFileSync(path.join(tmp, 'issuer.crt'), 'utf8')),
      '    claimMappings:',
      '      username:',
      '        claim: sub',
      "        prefix: 'oidc:'",
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(tmp, 'webhook.json'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'token-webhook',
          cluster: {
            server: `https://127.0.0.1:${WEBHOOK_PORT}/authenticate`,
            'certificate-authority-data': fs
              .readFileSync(path.join(tmp, 'webhook.crt'))
              .toString('base64'),
          },
        },
      ],
      users: [{ name: 'apiserver', user: {} }],
      contexts: [
        {
          name: 'webhook',
          context: { cluster: 'token-webhook', user: 'apiserver' },
        },
      ],
      'current-context': 'webhook',
    }),
  );
  try {
    fs.renameSync(tmp, dir);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another file won
  }
}

/** The keys the test servers use. */
export async function authnFiles(): Promise<AuthnFiles> {
  await ensureFiles();
  const read = (n: string) => fs.readFileSync(path.join(dir, n));
  return {
    issuerTls: { key: read('issuer.key'), cert: read('issuer.crt') },
    webhookTls: { key: read('webhook.key'), cert: read('webhook.crt') },
    signingKey: crypto.createPrivateKey(read('signing.pem')),
  };
}

/** Starts (or reuses) authn-it with both authenticators. */
export async function startAuthnCluster(): Promise<TestCluster> {
  await ensureFiles();
  process.env.SHIPYARD_CLUSTER_AUTHN_IT_APISERVER_ARGS = [
    `authentication-config=${path.join(dir, 'authentication.yaml')}`,
    `authentication-token-webhook-config-file=${path.join(
      dir,
      'webhook.json',
    )}`,
    'authentication-token-webhook-version=v1',
  ].join(' ');
  return startTestCluster(AUTHN_CLUSTER);
}

/** Binds `user` to the reader's ClusterRole (idempotent). */
export async function bindReader(
  cluster: TestCluster,
  binding: string,
  user: string,
) {
  await cluster.apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: binding },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'shipyard-health-reader',
    },
    subjects: [
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user },
    ],
  });
}
