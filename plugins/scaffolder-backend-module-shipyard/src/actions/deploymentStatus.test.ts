import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import yaml from 'yaml';
import { ConfigReader } from '@backstage/config';
import {
  ClusterConnection,
  ConfigShipyardClusters,
  readServiceObjects,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import {
  describeIntegration,
  FakeKubeApi,
  seedFixture,
} from '@shipyard-platform/deployment-health-test-utils';
import { localTeamNamespace } from '../__testUtils__/cluster';
import { createShipyardDeploymentStatusAction } from './deploymentStatus';
import { createShipyardDeployAction } from './deploy';
import { examples } from './deploymentStatus.examples';

const now = new Date().toISOString();
/** The action's input for the service the fake API serves. */
const payments = {
  kubernetesId: 'payments-api',
  namespace: 'payments',
  cluster: 'dev',
};
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
            metadata: { name: 'e1', namespace: 'payments', uid: 'e1' },
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

/** The `dev` cluster served by a fake Kubernetes API, read as the portal reads it. */
function devOn(api: FakeKubeApi) {
  return ConfigShipyardClusters.fromConfig(
    new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          { type: 'config', clusters: [{ name: 'dev', url: api.url }] },
        ],
      },
    }),
  );
}

describe('shipyard:deployment:status (unit)', () => {
  let api: FakeKubeApi;
  beforeEach(async () => {
    api = new FakeKubeApi();
    await api.start();
  });
  afterEach(() => api.stop());

  /** The action on `dev`, whose objects are those of seq[0], then (after each check) the next. */
  const action = (seq: Array<'healthy' | 'crashloop'>) => {
    seedFixture(api, objects(seq[0]));
    let checks = 0;
    // The events are read last in a check: change the objects for the next one.
    api.onRequest = url => {
      if (!url.startsWith('/api/v1/namespaces/payments/events')) return;
      if (seq[Math.min(++checks, seq.length - 1)] !== 'healthy') return;
      api.removeSilently('e1');
      seedFixture(api, objects('healthy'));
    };
    return createShipyardDeploymentStatusAction({
      clusters: devOn(api),
      pollIntervalMs: 10,
    });
  };
  const deploymentLists = () =>
    api.requests.filter(r => r.includes('/deployments?')).length;

  it.each(examples.map((e, i) => [i, e.description, e] as const))(
    'runs example %i: %s',
    async (_i, _d, example) => {
      const step = yaml.parse(example.example).steps[0];
      const a = action(['healthy']);
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
    const a = action(['crashloop']);
    const ctx = createMockActionContext({
      input: payments,
    });
    const err = await a.handler(ctx as any).catch(e => e);
    expect(err.message).toMatch(/payments-api is Failed on dev/);
    expect(err.message).toContain('CrashLoopBackOff');
    expect(err.message).toContain('restarts 6');
    expect(err.message).toContain('last termination OOMKilled (exit 137)');
    expect(err.message).toContain('Warning BackOff on Pod/payments-api-abc-1');
    expect(ctx.output).toHaveBeenCalledWith('status', 'Failed');
  });

  it('reads sanitised objects, bounded, and only the Warning events about them', async () => {
    const a = action(['crashloop']);
    const env = [{ name: 'DB_PASSWORD', value: 'hunter2' }];
    const [deployment] = objects('crashloop').deployments;
    deployment.spec.template.spec.containers[0] = {
      ...deployment.spec.template.spec.containers[0],
      env,
    } as any;
    api.upsert({ ...deployment, kind: 'Deployment' });
    // another service in the namespace, with a Warning event of its own
    const ledger = { 'backstage.io/kubernetes-id': 'ledger' };
    api.upsert({
      kind: 'Pod',
      metadata: {
        name: 'ledger-1',
        namespace: 'payments',
        uid: 'p9',
        labels: ledger,
      },
      spec: { containers: [{ name: 'app', image: 'l:1', env }] },
    });
    api.upsert({
      kind: 'Event',
      type: 'Warning',
      reason: 'Unhealthy',
      message: 'Readiness probe failed',
      count: 3,
      lastTimestamp: now,
      metadata: { name: 'e9', namespace: 'payments', uid: 'e9' },
      involvedObject: {
        kind: 'Pod',
        name: 'ledger-1',
        namespace: 'payments',
        uid: 'p9',
      },
    });
    const ctx = createMockActionContext({
      input: payments,
    });
    const err = await a.handler(ctx as any).catch(e => e);
    const report = (ctx.output as jest.Mock).mock.calls.find(
      ([k]) => k === 'report',
    )![1];
    expect(JSON.stringify(report)).not.toMatch(/hunter2|ledger|Readiness/);
    expect(err.message).not.toMatch(/hunter2|ledger|Readiness/);
    // events are listed in the service's namespace only, every list bounded
    expect(api.requests).toContain(
      'GET /api/v1/namespaces/payments/events?fieldSelector=type%3DWarning&limit=500',
    );
    expect(api.requests.every(r => r.includes('limit=500'))).toBe(true);

    // what the action read: no env values, no event of another service
    const clusters = devOn(api);
    const read = await readServiceObjects(
      new ClusterConnection(await clusters.getCluster('dev'), clusters, 5000),
      {
        labelSelector: 'backstage.io/kubernetes-id=payments-api',
        namespace: 'payments',
        limit: 500,
        events: true,
      },
    );
    expect(JSON.stringify(read.objects)).not.toContain('hunter2');
    expect(
      (read.objects.deployments![0].spec!.template.spec!.containers[0] as any)
        .env,
    ).toEqual([{ name: 'DB_PASSWORD' }]);
    expect(read.objects.events!.map(e => e.metadata!.uid)).toEqual(['e1']);
  });

  it('names the cluster and the classified error when the cluster cannot be read', async () => {
    const a = action(['healthy']);
    await api.stop();
    const err = await a
      .handler(
        createMockActionContext({
          input: { kubernetesId: 'payments-api', cluster: 'dev' },
        }) as any,
      )
      .catch(e => e);
    expect(err.message).toBe(
      'Reading payments-api from cluster dev failed: cannot connect (ECONNREFUSED)',
    );
  });

  it('waits until Healthy (bounded)', async () => {
    const a = action(['crashloop', 'crashloop', 'healthy']);
    const ctx = createMockActionContext({
      input: { ...payments, waitSeconds: 5 },
    });
    await a.handler(ctx as any);
    expect(deploymentLists()).toBe(3);
    expect(ctx.output).toHaveBeenCalledWith('status', 'Healthy');
  });

  it('does not fail in dry run', async () => {
    const a = action(['crashloop']);
    const ctx = {
      ...createMockActionContext({
        input: { ...payments, waitSeconds: 60 },
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
    const a = action(['healthy']);
    await expect(
      a.handler(createMockActionContext({ input }) as any),
    ).rejects.toThrow(message);
  });
});

describeIntegration('shipyard:deployment:status (local cluster)', () => {
  jest.setTimeout(600_000);
  const local = localTeamNamespace('shipyard-status');
  const ns = local.namespace;
  beforeAll(async () => {
    await createShipyardDeployAction({ clusters: local.service }).handler(
      createMockActionContext({
        input: {
          chartPath: 'chart',
          releaseName: 'svc',
          namespace: ns,
          cluster: 'dev',
          valuesFiles: ['chart/values-dev.yaml'],
        },
        workspacePath: local.workspacePath,
      }) as any,
    );
  });

  it('reports Healthy after deploy, and the reasons of a crashloop', async () => {
    const action = createShipyardDeploymentStatusAction({
      clusters: local.service,
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
