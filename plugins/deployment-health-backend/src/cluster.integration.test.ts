/*
 * Integration test against a real local control plane (scripts/cluster).
 * Runs only with SHIPYARD_INTEGRATION=1 (set by .ci/run); the normal unit
 * suite never needs a cluster.
 *
 *   SHIPYARD_INTEGRATION=1 yarn backstage-cli package test --watchAll=false src/cluster.integration.test.ts
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { EntityHealthResponse } from '@internal/backstage-plugin-deployment-health-common';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { deploymentHealthPlugin } from './plugin';

const enabled = process.env.SHIPYARD_INTEGRATION === '1';
const describeIf = enabled ? describe : describe.skip;
const ROOT = path.resolve(__dirname, '../../..');
const CLUSTER = process.env.SHIPYARD_INTEGRATION_CLUSTER ?? 'dev';

function cluster(...args: string[]): string {
  try {
    return execFileSync(path.join(ROOT, 'scripts/cluster'), args, {
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 900_000,
    });
  } catch (e: any) {
    throw new Error(
      `scripts/cluster ${args.join(
        ' ',
      )} failed (is the local control plane toolchain built? see docs/cluster.md):\n${String(
        e.stderr ?? e.message,
      ).slice(-2000)}`,
    );
  }
}

function kubectlApply(manifest: object) {
  execFileSync(
    path.join(ROOT, 'scripts/cluster'),
    ['kubectl', CLUSTER, 'apply', '-f', '-'],
    { input: JSON.stringify(manifest), encoding: 'utf8' },
  );
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 90_000,
  intervalMs = 200,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise(r => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

jest.setTimeout(600_000);

describeIf('deployment health against the local cluster', () => {
  const ns = `dh-it-${Date.now().toString(36)}`;
  const id = 'dh-it-probe';
  let env: {
    server: string;
    caFile: string;
    tokenFile: string;
    environment: string;
  };

  beforeAll(() => {
    cluster('up', CLUSTER); // reuses a running cluster
    env = JSON.parse(cluster('env', CLUSTER, '--json'));
    kubectlApply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    kubectlApply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: id,
        namespace: ns,
        labels: { 'backstage.io/kubernetes-id': id },
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: id } },
        template: {
          metadata: { labels: { app: id, 'backstage.io/kubernetes-id': id } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'ghcr.io/shipyard-examples/probe:1.0.0',
                env: [{ name: 'SECRET', value: 'it-env-secret-value' }],
              },
            ],
          },
        },
      },
    });
  });

  afterAll(() => {
    if (env)
      execFileSync(path.join(ROOT, 'scripts/cluster'), [
        'kubectl',
        CLUSTER,
        'delete',
        'namespace',
        ns,
        '--wait=false',
      ]);
  });

  it('reports real workloads, follows pod changes within 2 s, and leaks nothing', async () => {
    const backend = await startTestBackend({
      features: [
        deploymentHealthPlugin,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: CLUSTER,
                      url: env.server,
                      caFile: env.caFile,
                      serviceAccountTokenFile: env.tokenFile,
                      environment: env.environment,
                    },
                    {
                      name: 'stopped',
                      url: 'https://127.0.0.1:1',
                      environment: 'nowhere',
                    },
                  ],
                },
              ],
            },
            deploymentHealth: { requestTimeoutSeconds: 2 },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: id,
                namespace: 'default',
                annotations: {
                  'backstage.io/kubernetes-id': id,
                  'backstage.io/kubernetes-namespace': ns,
                },
              },
              spec: {
                type: 'service',
                owner: 'team-x',
                lifecycle: 'experimental',
              },
            },
          ],
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      ],
    });
    try {
      const get = async () => {
        const res = await request(backend.server)
          .get(`/api/deployment-health/entity/default/component/${id}`)
          .set('Authorization', mockCredentials.user.header());
        expect(res.status).toBe(200);
        return res.body as EntityHealthResponse;
      };
      const ready = await waitFor('2 available replicas', async () => {
        const body = await get();
        const c = body.clusters.find(x => x.cluster === CLUSTER);
        return c?.workloads[0]?.rollout.available === 2 &&
          c.workloads[0].pods.length === 2
          ? body
          : undefined;
      });
      const dev = ready.clusters.find(c => c.cluster === CLUSTER)!;
      expect(dev.environment).toBe(env.environment);
      expect(dev.status).toBe('Healthy');
      expect(
        ready.clusters.find(c => c.cluster === 'stopped')?.error?.type,
      ).toBe('unreachable');

      // pod change -> report
      const victim = dev.workloads[0].pods[0].name;
      const t0 = Date.now();
      execFileSync(path.join(ROOT, 'scripts/cluster'), [
        'kubectl',
        CLUSTER,
        '-n',
        ns,
        'delete',
        'pod',
        victim,
        '--wait=false',
      ]);
      await waitFor(
        'deleted pod to disappear',
        async () => {
          const body = await get();
          return !body.clusters
            .find(c => c.cluster === CLUSTER)!
            .workloads[0].pods.some(p => p.name === victim);
        },
        10_000,
        20,
      );
      const latency = Date.now() - t0;
      // eslint-disable-next-line no-console
      console.log(`pod deletion reported after ${latency} ms`);
      expect(latency).toBeLessThan(2000);

      // a crash-looping rollout becomes visible
      cluster('fail', CLUSTER, ns, id, 'crashloop');
      const failing = await waitFor('CrashLoopBackOff', async () => {
        const body = await get();
        return body.reasons.some(
          r => r.code === 'CrashLoopBackOff' || r.code === 'ContainerRestarts',
        )
          ? body
          : undefined;
      });
      expect(['Degraded', 'Failed']).toContain(failing.status);

      const text = JSON.stringify(failing);
      expect(text).not.toContain(fs.readFileSync(env.tokenFile, 'utf8').trim());
      expect(text).not.toContain('it-env-secret-value');
    } finally {
      await backend.stop();
    }
  });
});
