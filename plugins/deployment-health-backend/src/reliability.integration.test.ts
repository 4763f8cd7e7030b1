/*
 * Reliability and security claims of issue 6, against REAL Kubernetes API
 * servers from scripts/cluster (etcd + kube-apiserver with RBAC + controllers,
 * kwok nodes). Runs with SHIPYARD_INTEGRATION=1 (scripts/test, CI):
 *
 *   SHIPYARD_INTEGRATION=1 yarn backstage-cli package test --watchAll=false src/reliability.integration.test.ts
 *
 * Clusters the backend is configured with:
 * - dev:          the shared dev cluster with the read-only reader token (healthy)
 * - reliab:       a cluster of its own that the test stops and starts again
 * - forbidden:    dev's API server, token of a ServiceAccount without RBAC (real 403)
 * - unauthorized: dev's API server, a bogus token (real 401)
 * - silent:       a local TCP port that accepts connections and never answers
 *                 (a network fault; no Kubernetes involved)
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  ClusterHealth,
  ClustersResponse,
  EntityHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  describeIntegration,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import {
  startTestCluster,
  stopTestCluster,
  TestCluster,
} from '@shipyard-platform/test-cluster';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  capturingRootLogger,
  component,
  startHealthBackend,
} from './__testUtils__/backend';

const RELIAB = 'reliab';
const REQUEST_TIMEOUT_MS = 2000;
const suffix = Date.now().toString(36);
const id = `reliab-probe-${suffix}`;
const ns = `dh-reliab-${suffix}`;
const noRbacSa = 'no-rbac';
const bindingName = `dh-reliab-${suffix}`;
const ENV_SECRET = `env-value-must-not-leak-${suffix}`;
const SECRET_VALUE = `secret-value-must-not-leak-${suffix}`;
const BOGUS_TOKEN = `bogus-token-must-not-leak-${suffix}`;

jest.setTimeout(600_000);

let tmp: string;

/** A namespace with a Deployment (env value + Secret reference) labelled with our kubernetes-id. */
async function deployProbe(cluster: TestCluster) {
  const labels = { 'backstage.io/kubernetes-id': id };
  const manifest = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'probe', namespace: ns, labels },
        stringData: { password: SECRET_VALUE },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: id, namespace: ns, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: id } },
          template: {
            metadata: { labels: { app: id, ...labels } },
            spec: {
              containers: [
                {
                  name: 'app',
                  image: 'ghcr.io/shipyard-examples/probe:1.0.0',
                  env: [
                    { name: 'API_KEY', value: ENV_SECRET },
                    {
                      name: 'PASSWORD',
                      valueFrom: {
                        secretKeyRef: { name: 'probe', key: 'password' },
                      },
                    },
                  ],
                },
              ],
            },
          },
        },
      },
    ],
  };
  await cluster.kubectl('create', 'namespace', ns);
  await cluster.apply(manifest);
}

/** The backend reads reliab's CA and token from these copies (see below). */
const reliabFiles = () => ({
  caFile: path.join(tmp, 'reliab-ca.crt'),
  tokenFile: path.join(tmp, 'reliab-token'),
});
/**
 * Copies reliab's CA and reader token where the backend reads them, as a
 * mounted Secret would be updated. `scripts/cluster down` deletes a cluster's
 * state, so the restarted cluster has a new CA and token; the backend re-reads
 * these files on reconnect.
 */
function installReliabCredentials(cluster: TestCluster) {
  fs.copyFileSync(cluster.caFile, reliabFiles().caFile);
  fs.copyFileSync(cluster.tokenFile, reliabFiles().tokenFile);
}

describeIntegration(
  'deployment health reliability against real clusters',
  () => {
    let dev: TestCluster;
    let reliab: TestCluster;
    let noRbacToken: string;
    let silent: net.Server;
    const silentSockets = new Set<net.Socket>();
    // No token, env value or secret of the fixtures reaches a response or a log line.
    const expectNoSecret = (text: string, readerTokens: string[]) => {
      for (const secret of [
        ...readerTokens,
        noRbacToken,
        BOGUS_TOKEN,
        ENV_SECRET,
        SECRET_VALUE,
      ]) {
        expect(text).not.toContain(secret);
      }
    };

    beforeAll(async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dh-reliab-'));
      [dev, reliab] = await Promise.all([
        startTestCluster('dev'),
        startTestCluster(RELIAB),
      ]);
      await Promise.all([deployProbe(dev), deployProbe(reliab)]);
      installReliabCredentials(reliab);
      await dev.kubectl('-n', ns, 'create', 'serviceaccount', noRbacSa);
      noRbacToken = (
        await dev.kubectl(
          '-n',
          ns,
          'create',
          'token',
          noRbacSa,
          '--duration=1h',
        )
      ).trim();
      silent = net.createServer(socket => {
        silentSockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => silentSockets.delete(socket));
      });
      await new Promise<void>(r => silent.listen(0, '127.0.0.1', r));
    });

    afterAll(async () => {
      for (const s of silentSockets) s.destroy();
      await new Promise(r => silent?.close(r));
      if (dev) {
        await dev
          .kubectl(
            'delete',
            'clusterrolebinding',
            bindingName,
            '--ignore-not-found',
          )
          .catch(() => {});
        await dev
          .kubectl('delete', 'namespace', ns, '--wait=false')
          .catch(() => {});
      }
      await stopTestCluster(RELIAB).catch(() => {});
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    async function startBackend(
      permission:
        | AuthorizeResult.ALLOW
        | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
      staleAfterSeconds?: number,
    ) {
      const logger = capturingRootLogger();
      const devUrl = dev.server;
      const { port } = silent.address() as net.AddressInfo;
      const backend = await startHealthBackend({
        clusters: [
          {
            name: 'dev',
            url: devUrl,
            caData: dev.caData,
            serviceAccountToken: dev.readerToken,
            environment: 'development',
          },
          {
            name: RELIAB,
            url: reliab.server,
            caFile: reliabFiles().caFile,
            serviceAccountTokenFile: reliabFiles().tokenFile,
            environment: 'staging',
          },
          {
            name: 'forbidden',
            url: devUrl,
            caData: dev.caData,
            serviceAccountToken: noRbacToken,
            environment: 'staging',
          },
          {
            name: 'unauthorized',
            url: devUrl,
            caData: dev.caData,
            serviceAccountToken: BOGUS_TOKEN,
            environment: 'staging',
          },
          {
            name: 'silent',
            url: `https://127.0.0.1:${port}`,
            caData: dev.caData,
            serviceAccountToken: dev.readerToken,
            environment: 'production',
          },
        ],
        deploymentHealth: {
          requestTimeoutSeconds: REQUEST_TIMEOUT_MS / 1000,
          initialBackoffSeconds: 0.2,
          maxBackoffSeconds: 1,
          staleAfterSeconds,
          // Default watch timeout and resync interval (minutes): that
          // reliab's new objects replace its old ones proves the
          // reconnect after an error relists, not the periodic resync.
        },
        tenancy: {
          teamNamespaces: [{ team: 'team-reliab', namespaces: [ns] }],
        },
        entities: [component(id, 'team-reliab')],
        permissions: mockServices.permissions.factory({ result: permission }),
        logger: logger.factory,
      });
      return { backend, logs: logger.lines };
    }

    it('answers within the timeout with healthy data beside per-cluster errors, and recovers returning clusters without a restart', async () => {
      const { backend, logs } = await startBackend();
      let ageing: Awaited<ReturnType<typeof startBackend>> | undefined;
      const responses: string[] = [];
      const durations: number[] = [];
      /** GET as a user; every response is kept for the leak check and timed. */
      const get = async <T>(p: string, server = backend.server): Promise<T> => {
        const t0 = Date.now();
        const res = await request(server)
          .get(`/api/deployment-health/${p}`)
          .set('Authorization', mockCredentials.user.header());
        durations.push(Date.now() - t0);
        expect(res.status).toBe(200);
        responses.push(res.text);
        return res.body;
      };
      const entity = async (server = backend.server) => {
        const body = await get<EntityHealthResponse>(
          `entity/default/component/${id}`,
          server,
        );
        return {
          body,
          by: Object.fromEntries(
            body.clusters.map(c => [c.cluster, c]),
          ) as Record<string, ClusterHealth | undefined>,
        };
      };
      const podsOf = (c?: ClusterHealth) =>
        c?.workloads.flatMap(w => w.pods.map(p => p.name)) ?? [];
      const hasProbe = (c?: ClusterHealth) =>
        !c?.error &&
        c?.workloads[0]?.rollout.available === 1 &&
        podsOf(c).length === 1;
      const state = async () =>
        JSON.stringify(
          (await entity()).body.clusters.map(c => [
            c.cluster,
            c.error?.type,
            podsOf(c),
          ]),
        );
      const opts = (timeoutMs: number) => ({
        timeoutMs,
        intervalMs: 250,
        describe: () =>
          `${durations.length} requests; logs:\n${logs.slice(-15).join('\n')}`,
      });

      try {
        // 1. every cluster classified: data from the two healthy ones, errors from the rest
        const first = await waitFor(async () => {
          const e = await entity();
          return (
            hasProbe(e.by.dev) &&
            hasProbe(e.by[RELIAB]) &&
            e.by.forbidden?.error?.type === 'forbidden' &&
            e.by.unauthorized?.error?.type === 'unauthorized' &&
            e.by.silent?.error?.type === 'timeout' &&
            e
          );
        }, opts(120_000)).catch(async err => {
          throw new Error(`${err.message}\nlast state: ${await state()}`);
        });
        expect(first.body.entityRef).toBe(`component:default/${id}`);
        expect(first.by.dev).toMatchObject({
          environment: 'development',
          source: 'cache',
        });
        expect(first.by.dev!.workloads[0].name).toBe(id);
        expect(first.by.forbidden).toMatchObject({
          status: 'Unknown',
          error: { statusCode: 403 },
        });
        expect(first.by.unauthorized).toMatchObject({
          status: 'Unknown',
          error: { statusCode: 401 },
        });
        expect(first.by.silent!.status).toBe('Unknown');
        const clusters = await get<ClustersResponse>('clusters');
        expect(
          Object.fromEntries(clusters.clusters.map(c => [c.name, c.state])),
        ).toEqual({
          dev: 'ok',
          [RELIAB]: 'ok',
          forbidden: 'error',
          unauthorized: 'error',
          silent: 'error',
        });
        const reliabPodBefore = podsOf(first.by[RELIAB])[0];

        // A second backend that calls cached data old after 2 s. The first
        // keeps the default: a healthy watch is confirmed by the server's
        // bookmarks about every minute, so 2 s would call dev stale in a
        // long run.
        ageing = await startBackend(AuthorizeResult.ALLOW, 2);
        const ageingServer = ageing.backend.server;
        await waitFor(
          async () => hasProbe((await entity(ageingServer)).by[RELIAB]),
          opts(60_000),
        );

        // 2. stop a cluster: its error appears beside dev's data, every answer in time
        const stoppedAt = Date.now();
        await stopTestCluster(RELIAB);
        const stopped = await waitFor(async () => {
          const e = await entity();
          return e.by[RELIAB]?.error?.type === 'unreachable' && e;
        }, opts(60_000));
        expect(hasProbe(stopped.by.dev)).toBe(true);
        // past staleAfterSeconds, the error says how old the kept data is:
        // counted from when the watches broke, not from their last list
        const aged = await waitFor(async () => {
          const e = await entity(ageingServer);
          return (
            /cached data is \d+s old$/.test(
              e.by[RELIAB]?.error?.message ?? '',
            ) && e
          );
        }, opts(30_000));
        const age = Number(
          aged.by[RELIAB]!.error!.message.match(/(\d+)s old$/)![1],
        );
        expect(age).toBeLessThanOrEqual((Date.now() - stoppedAt) / 1000 + 1);
        expect(aged.by[RELIAB]!.error!.type).toBe('unreachable');
        expect(podsOf(aged.by[RELIAB])).toEqual([reliabPodBefore]);
        await ageing.backend.stop();
        logs.push(...ageing.logs);
        ageing = undefined;

        // 3. the cluster returns (a new control plane: new CA, token and objects)
        reliab = await startTestCluster(RELIAB);
        await deployProbe(reliab);
        installReliabCredentials(reliab);
        const back = await waitFor(async () => {
          const e = await entity();
          return (
            hasProbe(e.by[RELIAB]) &&
            podsOf(e.by[RELIAB])[0] !== reliabPodBefore &&
            e
          );
        }, opts(120_000)).catch(async err => {
          throw new Error(`${err.message}\nlast state: ${await state()}`);
        });
        expect(back.by[RELIAB]!.lastSyncedAt).toBeDefined();
        expect(hasProbe(back.by.dev)).toBe(true);

        // 4. the forbidden identity is granted read access: data follows, no restart
        await dev.kubectl(
          'create',
          'clusterrolebinding',
          bindingName,
          '--clusterrole=shipyard-health-reader',
          `--serviceaccount=${ns}:${noRbacSa}`,
        );
        await waitFor(
          async () => hasProbe((await entity()).by.forbidden),
          opts(60_000),
        );

        // page views never wait for a cluster: the silent cluster's timeout
        // came back as its own error beside dev's data (step 1), and every
        // entity view was answered from the watch cache, for every cluster.
        // Times are reported, not asserted (a shared 2-core runner).
        // eslint-disable-next-line no-console
        console.log(
          `${durations.length} responses, slowest ${Math.max(...durations)} ms`,
        );
        const viewSources = responses
          .map(r => JSON.parse(r))
          .filter(b => b.entityRef)
          .flatMap((b: EntityHealthResponse) => b.clusters.map(c => c.source));
        expect(viewSources.length).toBeGreaterThan(0);
        expect(new Set(viewSources)).toEqual(new Set(['cache']));

        // nothing secret in any response or log line
        const everything = [...responses, ...logs].join('\n');
        expect(logs.some(l => l.includes('forbidden'))).toBe(true);
        expectNoSecret(everything, [dev.readerToken, reliab.readerToken]);
      } finally {
        await ageing?.backend.stop();
        await backend.stop();
      }
    });

    // A retry switches a watch to 'listing': the cluster's timeout must stay
    // in responses meanwhile, not flip to "syncing" (SyncStatus.error()).
    it('keeps reporting the timeout of a cluster that never answers while it retries', async () => {
      const { backend } = await startBackend();
      try {
        const silentError = async () => {
          const res = await request(backend.server)
            .get(`/api/deployment-health/entity/default/component/${id}`)
            .set('Authorization', mockCredentials.user.header());
          return (res.body as EntityHealthResponse).clusters.find(
            c => c.cluster === 'silent',
          )?.error?.type;
        };
        await waitFor(async () => (await silentError()) === 'timeout', {
          timeoutMs: 30_000,
        });
        const samples: Array<string | undefined> = [];
        for (let i = 0; i < 12; i++) {
          samples.push(await silentError());
          await new Promise(r => setTimeout(r, 250));
        }
        // eslint-disable-next-line no-console
        console.log(`silent cluster error over 3 s: ${samples.join(' ')}`);
        expect(samples).toEqual(samples.map(() => 'timeout'));
      } finally {
        await backend.stop();
      }
    });

    it('401 without credentials, 403 when a policy denies, and no secret in either', async () => {
      const paths = [
        `entity/default/component/${id}`,
        'group/default/team-reliab',
        'clusters',
      ];
      const texts: string[] = [];
      const allowed = await startBackend();
      try {
        for (const p of paths) {
          const res = await request(allowed.backend.server).get(
            `/api/deployment-health/${p}`,
          );
          expect(res.status).toBe(401);
          texts.push(res.text);
        }
        const missing = await request(allowed.backend.server)
          .get('/api/deployment-health/entity/default/component/nope')
          .set('Authorization', mockCredentials.user.header());
        expect(missing.status).toBe(404);
      } finally {
        await allowed.backend.stop();
      }
      const denied = await startBackend(AuthorizeResult.DENY);
      try {
        // let the caches fill (and fail) so a leak would have the chance to show
        await waitFor(
          async () => denied.logs.some(l => l.includes('unauthorized')),
          { timeoutMs: 30_000 },
        );
        for (const p of paths) {
          const res = await request(denied.backend.server)
            .get(`/api/deployment-health/${p}`)
            .set('Authorization', mockCredentials.user.header());
          expect(res.status).toBe(403);
          texts.push(res.text);
        }
        const everything = [...texts, ...allowed.logs, ...denied.logs].join(
          '\n',
        );
        expectNoSecret(everything, [dev.readerToken]);
      } finally {
        await denied.backend.stop();
      }
    });
  },
);
