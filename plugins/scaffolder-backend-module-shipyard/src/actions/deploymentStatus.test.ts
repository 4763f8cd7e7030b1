import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { describeIntegration } from '@shipyard-platform/deployment-health-test-utils';
import {
  deleteNamespace,
  goodServiceWorkspace,
  prepareTeamNamespace,
  localClusterService,
  stubClusterService,
} from '../__testUtils__/cluster';
import { createShipyardDeploymentStatusAction } from './deploymentStatus';
import { createShipyardDeployAction } from './deploy';
import { examples } from './deploymentStatus.examples';

const now = new Date().toISOString();
const labels = { 'backstage.io/kubernetes-id': 'payments-api' };

function objects(mode: 'healthy' | 'crashloop') {
  const healthy = mode === 'healthy';
  return {
    deployments: [
      {
        metadata: {
          name: 'payments-api',
          namespace: 'payments',
          uid: 'd1',
          generation: 2,
          labels,
        },
        spec: {
          replicas: 1,
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'app', image: 'x:1' }] },
          },
        },
        status: {
          observedGeneration: 2,
          replicas: 1,
          updatedReplicas: 1,
          readyReplicas: healthy ? 1 : 0,
          availableReplicas: healthy ? 1 : 0,
          unavailableReplicas: healthy ? 0 : 1,
          conditions: [
            {
              type: 'Available',
              status: healthy ? 'True' : 'False',
              reason: healthy
                ? 'MinimumReplicasAvailable'
                : 'MinimumReplicasUnavailable',
            },
            {
              type: 'Progressing',
              status: 'True',
              reason: 'NewReplicaSetAvailable',
            },
          ],
        },
      },
    ],
    replicaSets: [
      {
        metadata: {
          name: 'payments-api-abc',
          namespace: 'payments',
          uid: 'rs1',
          labels,
          ownerReferences: [
            {
              kind: 'Deployment',
              name: 'payments-api',
              uid: 'd1',
              controller: true,
              apiVersion: 'apps/v1',
            },
          ],
        },
      },
    ],
    pods: [
      {
        metadata: {
          name: 'payments-api-abc-1',
          namespace: 'payments',
          uid: 'p1',
          labels,
          creationTimestamp: '2020-01-01T00:00:00Z',
          ownerReferences: [
            {
              kind: 'ReplicaSet',
              name: 'payments-api-abc',
              uid: 'rs1',
              controller: true,
              apiVersion: 'apps/v1',
            },
          ],
        },
        spec: { containers: [{ name: 'app', image: 'x:1' }] },
        status: {
          phase: 'Running',
          startTime: '2020-01-01T00:00:00Z',
          conditions: [{ type: 'Ready', status: healthy ? 'True' : 'False' }],
          containerStatuses: [
            healthy
              ? {
                  name: 'app',
                  image: 'x:1',
                  ready: true,
                  restartCount: 0,
                  state: { running: { startedAt: '2020-01-01T00:00:00Z' } },
                }
              : {
                  name: 'app',
                  image: 'x:1',
                  ready: false,
                  restartCount: 6,
                  state: {
                    waiting: {
                      reason: 'CrashLoopBackOff',
                      message: 'back-off 5m0s restarting failed container',
                    },
                  },
                  lastState: {
                    terminated: {
                      reason: 'OOMKilled',
                      exitCode: 137,
                      finishedAt: now,
                    },
                  },
                },
          ],
        },
      },
    ],
    hpas: [],
    events: healthy
      ? []
      : [
          {
            type: 'Warning',
            reason: 'BackOff',
            message: 'Back-off restarting failed container app',
            count: 12,
            lastTimestamp: now,
            metadata: { name: 'e1', namespace: 'payments' },
            involvedObject: {
              kind: 'Pod',
              name: 'payments-api-abc-1',
              namespace: 'payments',
              uid: 'p1',
            },
          },
        ],
  };
}

function fakeKubeConfig(sequence: Array<'healthy' | 'crashloop'>) {
  let call = -1;
  const current = () => objects(sequence[Math.min(call, sequence.length - 1)]);
  const list = (k: keyof ReturnType<typeof objects>) => async () => ({
    items: current()[k],
  });
  const apps = {
    listNamespacedDeployment: jest.fn(async () => {
      call++;
      return { items: current().deployments };
    }),
    listNamespacedStatefulSet: async () => ({ items: [] }),
    listNamespacedDaemonSet: async () => ({ items: [] }),
    listNamespacedReplicaSet: list('replicaSets'),
  };
  const core = {
    listNamespacedPod: list('pods'),
    listNamespacedEvent: list('events'),
  };
  const autoscaling = { listNamespacedHorizontalPodAutoscaler: list('hpas') };
  return {
    apps,
    makeApiClient: (cls: any) => {
      if (cls === AppsV1Api) return apps;
      if (cls === CoreV1Api) return core;
      return autoscaling;
    },
  };
}

describe('shipyard:deployment:status (unit)', () => {
  const action = (seq: Array<'healthy' | 'crashloop'>) => {
    const kc = fakeKubeConfig(seq);
    return {
      kc,
      action: createShipyardDeploymentStatusAction({
        clusters: stubClusterService(['dev'], kc),
        pollIntervalMs: 10,
      }),
    };
  };

  it.each(examples.map((e, i) => [i, e.description, e] as const))(
    'runs example %i: %s',
    async (_i, _d, example) => {
      const step = yaml.parse(example.example).steps[0];
      const { action: a } = action(['healthy']);
      // the first example has no namespace: it lists across namespaces
      const input = { namespace: 'payments', ...step.input };
      const ctx = createMockActionContext({ input });
      await a.handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith('status', 'Healthy');
      expect(ctx.output).toHaveBeenCalledWith(
        'report',
        expect.objectContaining({ cluster: 'dev', status: 'Healthy' }),
      );
    },
  );

  it('fails with container states, restarts, last termination and events', async () => {
    const { action: a } = action(['crashloop']);
    const ctx = createMockActionContext({
      input: {
        kubernetesId: 'payments-api',
        namespace: 'payments',
        cluster: 'dev',
      },
    });
    const err = await a.handler(ctx as any).catch(e => e);
    expect(err.message).toMatch(/payments-api is Failed on dev/);
    expect(err.message).toContain('CrashLoopBackOff');
    expect(err.message).toContain('restarts 6');
    expect(err.message).toContain('last termination OOMKilled (exit 137)');
    expect(err.message).toContain('Warning BackOff on Pod/payments-api-abc-1');
    expect(ctx.output).toHaveBeenCalledWith('status', 'Failed');
  });

  it('waits until Healthy (bounded)', async () => {
    const { action: a, kc } = action(['crashloop', 'crashloop', 'healthy']);
    const ctx = createMockActionContext({
      input: {
        kubernetesId: 'payments-api',
        namespace: 'payments',
        cluster: 'dev',
        waitSeconds: 5,
      },
    });
    await a.handler(ctx as any);
    expect(kc.apps.listNamespacedDeployment).toHaveBeenCalledTimes(3);
    expect(ctx.output).toHaveBeenCalledWith('status', 'Healthy');
  });

  it('does not fail in dry run', async () => {
    const { action: a } = action(['crashloop']);
    const ctx = {
      ...createMockActionContext({
        input: {
          kubernetesId: 'payments-api',
          namespace: 'payments',
          cluster: 'dev',
          waitSeconds: 60,
        },
      }),
      isDryRun: true,
    };
    await a.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('status', 'Failed');
  });

  it.each([
    [{ cluster: 'dev' }, /Invalid kubernetesId/],
    [{ cluster: 'dev', entityRef: 'component:' }, /Invalid entityRef/],
    [
      { cluster: 'dev', kubernetesId: 'x', waitSeconds: 5000 },
      /Invalid waitSeconds/,
    ],
    [
      { cluster: 'dev', kubernetesId: 'x', namespace: 'Bad' },
      /Invalid namespace/,
    ],
    [
      { cluster: 'nope', kubernetesId: 'x' },
      /Invalid cluster: unknown cluster "nope"/,
    ],
  ])('rejects %j', async (input, message) => {
    const { action: a } = action(['healthy']);
    await expect(
      a.handler(createMockActionContext({ input }) as any),
    ).rejects.toThrow(message);
  });
});

describeIntegration('shipyard:deployment:status (local cluster)', () => {
  jest.setTimeout(600_000);
  let service: ReturnType<typeof localClusterService>['service'];
  let workspacePath: string;
  const ns = `shipyard-status-${Date.now().toString(36)}`;
  beforeAll(async () => {
    service = localClusterService('dev').service;
    workspacePath = await goodServiceWorkspace();
    await prepareTeamNamespace(service, ns);
    await createShipyardDeployAction({ clusters: service }).handler(
      createMockActionContext({
        input: {
          chartPath: 'chart',
          releaseName: 'svc',
          namespace: ns,
          cluster: 'dev',
          valuesFiles: ['chart/values-dev.yaml'],
        },
        workspacePath,
      }) as any,
    );
  });
  afterAll(async () => {
    deleteNamespace('dev', ns);
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  it('reports Healthy after deploy, and the reasons of a crashloop', async () => {
    const action = createShipyardDeploymentStatusAction({
      clusters: service,
      pollIntervalMs: 2000,
    });
    const ctx = createMockActionContext({
      input: {
        entityRef: 'component:default/good-service',
        namespace: ns,
        cluster: 'dev',
        waitSeconds: 60,
      },
    });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('status', 'Healthy');

    execFileSync(path.resolve(__dirname, '../../../../scripts/cluster'), [
      'fail',
      'dev',
      ns,
      'svc-good-service',
      'crashloop',
    ]);
    const ctx2 = createMockActionContext({
      input: {
        kubernetesId: 'good-service',
        namespace: ns,
        cluster: 'dev',
        waitSeconds: 20,
      },
    });
    const err = await action.handler(ctx2 as any).catch(e => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(
      /good-service is (Progressing|Degraded|Failed) on dev after waiting 20s/,
    );
  });
});
