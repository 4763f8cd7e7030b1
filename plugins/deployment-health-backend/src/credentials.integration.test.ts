/*
 * Credentials of the watch cache against a REAL kube-apiserver
 * (scripts/cluster, a cluster of its own: auth-it). Runs with
 * SHIPYARD_INTEGRATION=1 (scripts/test, CI):
 *
 *   SHIPYARD_INTEGRATION=1 yarn backstage-cli package test --watchAll=false src/credentials.integration.test.ts
 *
 * The reader's token file is rotated under a running backend and the old
 * token revoked: the watch must keep delivering changes without the cluster
 * ever being reported as failed. Clusters the backend is configured with:
 * - auth-it: the rotating token file
 * - odd:     an unknown authProvider (one config error, naming the key)
 * - sso:     a client-side authProvider (oidc) without a token for Shipyard
 * - bare:    serviceAccount without any token (refused, never read anonymously)
 */
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import type {
  ClustersResponse,
  ClusterStatus,
  EntityHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { shipyardAuthStrategyServiceRef } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import {
  describeIntegration,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import { startTestCluster, TestCluster } from '@shipyard-platform/test-cluster';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import {
  capturingRootLogger,
  component,
  startHealthBackend,
} from './__testUtils__/backend';

const CLUSTER = 'auth-it';
const WATCH_TIMEOUT_SECONDS = 3;
const suffix = Date.now().toString(36);
const ns = `dh-cred-${suffix}`;
const id = `cred-probe-${suffix}`;
const secretA = `cred-a-${suffix}`;
const secretB = `cred-b-${suffix}`;
const secretC = `cred-c-${suffix}`;
const secretD = `cred-d-${suffix}`;

jest.setTimeout(300_000);

const deployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name,
    namespace: ns,
    labels: { 'backstage.io/kubernetes-id': id },
  },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name, 'backstage.io/kubernetes-id': id } },
      spec: { containers: [{ name: 'app', image: 'example/probe:1.0.0' }] },
    },
  },
});

/** The backend's cluster list, and the names of the probe's workloads on auth-it. */
function healthApi(server: Parameters<typeof request>[0]) {
  const get = (url: string) =>
    request(server)
      .get(url)
      .set('Authorization', mockCredentials.user.header());
  return {
    clusters: async () =>
      ((await get('/api/deployment-health/clusters')).body as ClustersResponse)
        .clusters,
    workloads: async () => {
      const body = (
        await get(`/api/deployment-health/entity/default/component/${id}`)
      ).body as EntityHealthResponse;
      return (body.clusters.find(c => c.cluster === CLUSTER)?.workloads ?? [])
        .map(w => w.name)
        .sort();
    },
  };
}

/**
 * Every state auth-it is reported in, from now on (every 200 ms), until
 * stop(), which resolves when the last read is in.
 */
function recordClusterStates(clusters: () => Promise<ClusterStatus[]>) {
  const seen: ClusterStatus[] = [];
  let polling = true;
  const loop = (async () => {
    while (polling) {
      const c = (await clusters()).find(x => x.name === CLUSTER);
      if (c) seen.push(c);
      await sleep(200);
    }
  })();
  return {
    seen,
    stop() {
      polling = false;
      return loop;
    },
  };
}

/** The status code the API server answers a request with this token. */
function statusWith(cluster: TestCluster, token: string) {
  return new Promise<number | undefined>((resolve, reject) => {
    https
      .get(
        `${cluster.server}/api/v1/namespaces/${ns}`,
        {
          ca: fs.readFileSync(cluster.caFile),
          headers: { Authorization: `Bearer ${token}` },
        },
        res => {
          res.resume();
          resolve(res.statusCode);
        },
      )
      .on('error', reject);
  });
}

describeIntegration('the watch cache across a credential rotation', () => {
  let cluster: TestCluster;
  let tmp: string;

  beforeAll(async () => {
    cluster = await startTestCluster(CLUSTER);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dh-cred-'));
    await cluster.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    await cluster.apply(deployment(`${id}-a`));
  });

  afterAll(async () => {
    await cluster
      ?.kubectl('delete', 'namespace', ns, '--wait=false')
      .catch(() => {});
    await cluster
      ?.kubectl(
        'delete',
        'secret',
        secretA,
        secretB,
        secretC,
        secretD,
        '-n',
        'shipyard-system',
        '--ignore-not-found',
      )
      .catch(() => {});
  });

  it('keeps watching with the new token, never reporting the cluster as failed', async () => {
    const tokenA = await cluster.createReaderToken({ boundToSecret: secretA });
    const tokenB = await cluster.createReaderToken({ boundToSecret: secretB });
    const tokenFile = path.join(tmp, 'reader-token');
    fs.writeFileSync(tokenFile, tokenA);
    const logger = capturingRootLogger();
    const backend = await startHealthBackend({
      clusters: [
        {
          name: CLUSTER,
          url: cluster.server,
          caFile: cluster.caFile,
          serviceAccountTokenFile: tokenFile,
        },
        {
          name: 'odd',
          url: 'https://odd.example.com',
          authProvider: 'pinniped',
        },
        {
          name: 'sso',
          url: 'https://sso.example.com',
          authProvider: 'oidc',
          oidcTokenProvider: 'okta',
        },
        // the same API server: read anonymously it would answer
        { name: 'bare', url: cluster.server, caFile: cluster.caFile },
      ],
      // short watches: many re-opened watches (each a new connection) in the test
      deploymentHealth: { watchTimeoutSeconds: WATCH_TIMEOUT_SECONDS },
      tenancy: { teamNamespaces: [{ team: 'team-x', namespaces: [ns] }] },
      entities: [
        component(id, 'team-x', { 'backstage.io/kubernetes-namespace': ns }),
      ],
      logger: logger.factory,
    });
    let states: ReturnType<typeof recordClusterStates> | undefined;
    const { clusters, workloads } = healthApi(backend.server);
    try {
      await waitFor(async () => (await workloads()).length === 1, {
        timeoutMs: 60_000,
        what: 'the first Deployment',
      });
      states = recordClusterStates(clusters);

      // rotate, as a kubelet rewrites a projected token, then revoke the old one
      fs.writeFileSync(tokenFile, tokenB);
      await cluster.kubectl(
        'delete',
        'secret',
        secretA,
        '-n',
        'shipyard-system',
      );
      await waitFor(async () => (await statusWith(cluster, tokenA)) === 401, {
        timeoutMs: 60_000,
        intervalMs: 1000,
        what: 'the old token to be rejected',
      });
      expect(await statusWith(cluster, tokenB)).toBe(200);
      // Let every watch opened before the revocation end (the server closes
      // them after at most 1.1 x watchTimeoutSeconds) so the next change can
      // only arrive through watches opened since, with the new token.
      await sleep(WATCH_TIMEOUT_SECONDS * 1100 * 2);
      await cluster.apply(deployment(`${id}-b`));
      expect(
        await waitFor(
          async () => (await workloads()).length === 2 && workloads(),
          {
            timeoutMs: 60_000,
            what: 'the Deployment created after the rotation',
          },
        ),
      ).toEqual([`${id}-a`, `${id}-b`]);

      await states.stop();
      expect(states.seen.length).toBeGreaterThan(10);
      expect(states.seen.filter(c => c.state !== 'ok')).toEqual([]);

      // the other clusters: one error each, naming the key; no credential anywhere
      const all = await clusters();
      expect(all.find(c => c.name === 'odd')?.error).toMatchObject({
        type: 'misconfigured',
        message: expect.stringContaining(
          "kubernetes.clusterLocatorMethods[0].clusters[1].authProvider 'pinniped' is unknown",
        ),
      });
      expect(all.find(c => c.name === 'sso')?.error).toMatchObject({
        type: 'misconfigured',
        message: expect.stringContaining(
          "kubernetes.clusterLocatorMethods[0].clusters[2].authProvider 'oidc' signs in with each user's own token",
        ),
      });
      expect(all.find(c => c.name === 'bare')?.error).toMatchObject({
        type: 'misconfigured',
        message: expect.stringContaining(
          'kubernetes.clusterLocatorMethods[0].clusters[3].serviceAccountToken: authProvider serviceAccount has no credentials',
        ),
      });
      const everything = JSON.stringify(all) + logger.lines.join('\n');
      for (const token of [tokenA, tokenB]) {
        expect(everything).not.toContain(token);
      }
      expect(logger.lines.join('\n')).toContain(
        "Cluster 'odd' is misconfigured: kubernetes.clusterLocatorMethods[0].clusters[1].authProvider",
      );
    } finally {
      states?.stop();
      await backend.stop();
    }
  });

  it("keeps watching when an authentication strategy's token is replaced and revoked", async () => {
    const tokenC = await cluster.createReaderToken({ boundToSecret: secretC });
    const tokenD = await cluster.createReaderToken({ boundToSecret: secretD });
    // An adopter's strategy, as a cloud one behaves: a new token at some
    // point, the old one expiring (here: revoked) soon after.
    let current = tokenC;
    const strategy = createServiceFactory({
      service: shipyardAuthStrategyServiceRef,
      deps: {},
      factory: () => ({
        authProvider: 'rotating',
        strategy: {
          getCredential: async () => ({
            type: 'bearer token' as const,
            token: current,
          }),
          validateCluster: () => [],
          presentAuthMetadata: () => ({}),
        },
      }),
    });
    const backend = await startHealthBackend({
      clusters: [
        {
          name: CLUSTER,
          url: cluster.server,
          caFile: cluster.caFile,
          authProvider: 'rotating',
        },
      ],
      deploymentHealth: { watchTimeoutSeconds: WATCH_TIMEOUT_SECONDS },
      tenancy: { teamNamespaces: [{ team: 'team-x', namespaces: [ns] }] },
      entities: [
        component(id, 'team-x', { 'backstage.io/kubernetes-namespace': ns }),
      ],
      features: [strategy],
    });
    let states: ReturnType<typeof recordClusterStates> | undefined;
    const { clusters, workloads } = healthApi(backend.server);
    try {
      await waitFor(async () => (await workloads()).length > 0, {
        timeoutMs: 60_000,
        what: 'the first list',
      });
      states = recordClusterStates(clusters);

      current = tokenD;
      await cluster.kubectl(
        'delete',
        'secret',
        secretC,
        '-n',
        'shipyard-system',
      );
      await waitFor(async () => (await statusWith(cluster, tokenC)) === 401, {
        timeoutMs: 60_000,
        intervalMs: 1000,
        what: 'the old token to be rejected',
      });
      await sleep(WATCH_TIMEOUT_SECONDS * 1100 * 2);
      await cluster.apply(deployment(`${id}-c`));
      await waitFor(async () => (await workloads()).includes(`${id}-c`), {
        timeoutMs: 60_000,
        what: 'the Deployment created after the rotation',
      });

      await states.stop();
      expect(states.seen.length).toBeGreaterThan(10);
      expect(states.seen.filter(c => c.state !== 'ok')).toEqual([]);
    } finally {
      states?.stop();
      await backend.stop();
    }
  });
});
