import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  createBackendModule,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import yaml from 'yaml';
import { ConfigReader } from '@backstage/config';
import {
  DEFAULT_TENANCY_RULES,
  deploymentHealthReadPermission,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  ClusterConnection,
  ConfigShipyardClusters,
  readServiceObjects,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import {
  describeIntegration,
  FakeKubeApi,
  seedFixture,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import { localTeamNamespace } from '../__testUtils__/cluster';
import { teamItAccess } from '../__testUtils__/org';
import { scaffolderModule } from '../module';
import { createShipyardDeploymentStatusAction } from './deploymentStatus';
import { createShipyardDeployAction } from './deploy';
import { examples } from './deploymentStatus.examples';

const now = new Date().toISOString();
/** The action's input for the service the fake API serves. */
const payments = {
  entityRef: 'component:default/payments-api',
  namespace: 'team-payments',
  cluster: 'dev',
};
const labels = { 'backstage.io/kubernetes-id': 'payments-api' };

const component = (
  name: string,
  owner: string,
  annotations: Record<string, string> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', lifecycle: 'production', owner },
});
/** payments-api of team-payments, found by its kubernetes-id annotation. */
const paymentsApi = component('payments-api', 'group:default/team-payments', {
  'backstage.io/kubernetes-id': 'payments-api',
});

const allowAll = () =>
  mockServices.permissions.mock({
    authorize: async requests =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  });

/** The context of a task started by `userRef`. */
const asUser = (
  userRef: string,
  options: Parameters<typeof createMockActionContext>[0],
) => ({
  ...createMockActionContext({
    ...options,
    user: { ref: userRef },
  }),
  getInitiatorCredentials: async () => mockCredentials.user(userRef),
});

function objects(mode: 'healthy' | 'crashloop') {
  const healthy = mode === 'healthy';
  return {
    deployments: [
      {
        metadata: {
          name: 'payments-api',
          namespace: 'team-payments',
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
          namespace: 'team-payments',
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
          namespace: 'team-payments',
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
            metadata: { name: 'e1', namespace: 'team-payments', uid: 'e1' },
            involvedObject: {
              kind: 'Pod',
              name: 'payments-api-abc-1',
              namespace: 'team-payments',
              uid: 'p1',
            },
          },
        ],
  };
}

const kubernetesConfig = (api: FakeKubeApi) => ({
  clusterLocatorMethods: [
    {
      type: 'config',
      clusters: [
        { name: 'dev', url: api.url, serviceAccountToken: 'reader-token' },
        { name: 'prod', url: api.url, serviceAccountToken: 'reader-token' },
      ],
    },
  ],
});
/** The `dev` cluster served by a fake Kubernetes API, read as the portal reads it. */
function devOn(api: FakeKubeApi) {
  return ConfigShipyardClusters.fromConfig(
    new ConfigReader({ kubernetes: kubernetesConfig(api) }),
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
  const action = (
    seq: Array<'healthy' | 'crashloop'>,
    more: {
      entities?: Entity[];
      permissions?: PermissionsService;
      config?: Parameters<
        typeof createShipyardDeploymentStatusAction
      >[0]['config'];
    } = {},
  ) => {
    seedFixture(api, objects(seq[0]));
    let checks = 0;
    // The events are read last in a check: change the objects for the next one.
    api.onRequest = url => {
      if (!url.startsWith('/api/v1/namespaces/team-payments/events')) return;
      if (seq[Math.min(++checks, seq.length - 1)] !== 'healthy') return;
      api.removeSilently('e1');
      seedFixture(api, objects('healthy'));
    };
    return createShipyardDeploymentStatusAction({
      clusters: devOn(api),
      catalog: catalogServiceMock({ entities: more.entities ?? [paymentsApi] }),
      permissions: more.permissions ?? allowAll(),
      config: more.config,
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
      const ctx = createMockActionContext({ input: step.input });
      await a.handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith('status', 'Healthy');
      expect(ctx.output).toHaveBeenCalledWith(
        'report',
        expect.objectContaining({ cluster: 'dev', status: 'Healthy' }),
      );
      // with or without a namespace input, only the owner team's namespace is read
      expect(api.requests.length).toBeGreaterThan(0);
      expect(
        api.requests.every(r => r.includes('/namespaces/team-payments/')),
      ).toBe(true);
    },
  );

  it('fails with container states, restarts, last termination and events', async () => {
    const a = action(['crashloop']);
    const ctx = createMockActionContext({
      input: payments,
    });
    const err = await a.handler(ctx as any).catch(e => e);
    expect(err.message).toMatch(
      /component:default\/payments-api is Failed on dev/,
    );
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
        namespace: 'team-payments',
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
      metadata: { name: 'e9', namespace: 'team-payments', uid: 'e9' },
      involvedObject: {
        kind: 'Pod',
        name: 'ledger-1',
        namespace: 'team-payments',
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
      'GET /api/v1/namespaces/team-payments/events?fieldSelector=type%3DWarning&limit=500',
    );
    expect(api.requests.every(r => r.includes('limit=500'))).toBe(true);

    // what the action read: no env values, no event of another service
    const clusters = devOn(api);
    const read = await readServiceObjects(
      new ClusterConnection(await clusters.getCluster('dev'), clusters, 5000),
      {
        labelSelector: 'backstage.io/kubernetes-id=payments-api',
        namespaces: ['team-payments'],
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
          input: { entityRef: 'payments-api', cluster: 'dev' },
        }) as any,
      )
      .catch(e => e);
    expect(err.message).toBe(
      'Reading component:default/payments-api from cluster dev failed: cannot connect (ECONNREFUSED)',
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

  it('waits for the entity to appear in the catalog (registered a step earlier)', async () => {
    const catalog = catalogServiceMock({ entities: [paymentsApi] });
    const getEntityByRef = catalog.getEntityByRef.bind(catalog);
    let reads = 0;
    catalog.getEntityByRef = async (ref, opts) =>
      ++reads < 3 ? undefined : getEntityByRef(ref, opts);
    seedFixture(api, objects('healthy'));
    const a = createShipyardDeploymentStatusAction({
      clusters: devOn(api),
      catalog,
      permissions: allowAll(),
      pollIntervalMs: 10,
    });
    const ctx = createMockActionContext({
      input: { ...payments, waitSeconds: 5 },
    });
    await a.handler(ctx as any);
    expect(reads).toBe(3);
    expect(ctx.output).toHaveBeenCalledWith('status', 'Healthy');
  });

  it('names entityRef when the entity is not in the catalog, and reads no cluster', async () => {
    const a = action(['healthy'], { entities: [] });
    const err = await a
      .handler(createMockActionContext({ input: payments }) as any)
      .catch(e => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe(
      'Invalid entityRef "component:default/payments-api": no such entity in the catalog (or not visible to the user running the task)',
    );
    expect(api.requests).toEqual([]);
  });

  it('authorizes the entity with the initiator credentials before any cluster read', async () => {
    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })),
    });
    const a = action(['healthy'], { permissions });
    const err = await a
      .handler(asUser('user:default/grace', { input: payments }) as any)
      .catch(e => e);
    expect(err).toBeInstanceOf(NotAllowedError);
    expect(err.message).toBe(
      'User user:default/grace may not read the deployment health of component:default/payments-api: permission deployment-health.entity.read was denied',
    );
    expect(permissions.authorize).toHaveBeenCalledWith(
      [
        {
          permission: deploymentHealthReadPermission,
          resourceRef: 'component:default/payments-api',
        },
      ],
      { credentials: mockCredentials.user('user:default/grace') },
    );
    expect(api.requests).toEqual([]);
  });

  it('refuses a cluster outside shipyard.deploy.allowedClusters without reading it', async () => {
    const a = action(['healthy'], { config: { allowedClusters: ['prod'] } });
    await expect(
      a.handler(createMockActionContext({ input: payments }) as any),
    ).rejects.toThrow(
      'Invalid cluster: cluster "dev" is not in shipyard.deploy.allowedClusters',
    );
    expect(api.requests).toEqual([]);
  });

  it("refuses a namespace (input or annotation) outside the owner team's namespaces", async () => {
    const a = action(['healthy']);
    await expect(
      a.handler(
        createMockActionContext({
          input: { ...payments, namespace: 'team-storefront' },
        }) as any,
      ),
    ).rejects.toThrow(
      'Invalid namespace "team-storefront": not one of the namespaces component:default/payments-api may be read in (team-payments: its owner team\'s, shipyard.tenancy.teamNamespaces, narrowed by its backstage.io/kubernetes-namespace annotation)',
    );
    const sneaky = component('sneaky', 'group:default/team-payments', {
      'backstage.io/kubernetes-id': 'payments-api',
      'backstage.io/kubernetes-namespace': 'kube-system',
    });
    const b = action(['healthy'], { entities: [sneaky] });
    await expect(
      b.handler(
        createMockActionContext({
          input: { entityRef: 'component:default/sneaky', cluster: 'dev' },
        }) as any,
      ),
    ).rejects.toThrow(
      /^Invalid entityRef "component:default\/sneaky": Invalid annotation backstage.io\/kubernetes-namespace: "kube-system" is not a namespace of the owner group:default\/team-payments/,
    );
    expect(api.requests).toEqual([]);
  });

  it('reads the namespaces shipyard.tenancy.teamNamespaces maps the owner to', async () => {
    const a = action(['healthy'], {
      config: {
        tenancy: {
          ...DEFAULT_TENANCY_RULES,
          teamNamespaces: {
            'group:default/team-payments': ['team-payments', 'payments-batch'],
          },
        },
      },
    });
    const ctx = createMockActionContext({
      input: { entityRef: 'payments-api', cluster: 'dev' },
    });
    await a.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('status', 'Healthy');
    const listed = new Set(
      api.requests.map(r => /\/namespaces\/([^/]+)\//.exec(r)?.[1]),
    );
    expect([...listed].sort()).toEqual(['payments-batch', 'team-payments']);
  });

  describe('dry run', () => {
    const dryRun = (userRef: string, input: object) => ({
      ...asUser(userRef, { input }),
      isDryRun: true,
    });

    it('checks the permission, reads no cluster and reports Unknown', async () => {
      const a = action(['crashloop']);
      const ctx = dryRun('user:default/ada', { ...payments, waitSeconds: 60 });
      await a.handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith('status', 'Unknown');
      expect(ctx.output).toHaveBeenCalledWith(
        'report',
        expect.objectContaining({
          cluster: 'dev',
          status: 'Unknown',
          workloads: [],
        }),
      );
      expect(api.requests).toEqual([]);
    });

    it('is refused when the permission is denied', async () => {
      const permissions = mockServices.permissions.mock({
        authorize: async requests =>
          requests.map(() => ({ result: AuthorizeResult.DENY })),
      });
      const a = action(['healthy'], { permissions });
      await expect(
        a.handler(dryRun('user:default/grace', payments) as any),
      ).rejects.toThrow(NotAllowedError);
      expect(api.requests).toEqual([]);
    });

    it('passes for an entity a template registers only when run for real', async () => {
      const a = action(['healthy'], { entities: [] });
      const ctx = dryRun('user:default/ada', payments);
      await a.handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith('status', 'Unknown');
      expect(api.requests).toEqual([]);
    });

    it('still refuses a cluster outside allowedClusters', async () => {
      const a = action(['healthy'], { config: { allowedClusters: ['prod'] } });
      await expect(
        a.handler(dryRun('user:default/ada', payments) as any),
      ).rejects.toThrow(/allowedClusters/);
    });
  });

  it.each([
    [{ cluster: 'dev' }, /Invalid entityRef ""/],
    [{ cluster: 'dev', entityRef: 'component:' }, /Invalid entityRef/],
    [
      { cluster: 'dev', entityRef: 'x', waitSeconds: 5000 },
      /Invalid waitSeconds/,
    ],
    [{ cluster: 'dev', entityRef: 'x', namespace: 'Bad' }, /Invalid namespace/],
    [
      { cluster: 'nope', entityRef: 'x' },
      /Invalid cluster: unknown cluster "nope"/,
    ],
  ])('rejects %j', async (input, message) => {
    const a = action(['healthy']);
    await expect(
      a.handler(createMockActionContext({ input }) as any),
    ).rejects.toThrow(message);
    expect(api.requests).toEqual([]);
  });
});

/**
 * The module as the portal loads it, with the real permission backend and a
 * policy that lets only team-payments read its services' health in detail.
 */
describe('shipyard:deployment:status (module, permission backend)', () => {
  let api: FakeKubeApi;
  beforeEach(async () => {
    api = new FakeKubeApi();
    await api.start();
  });
  afterEach(() => api.stop());

  const teams: Record<string, string> = {
    'user:default/ada': 'group:default/team-payments',
    'user:default/grace': 'group:default/team-storefront',
  };
  /** Owners read the details: the owner of each entity is known here, as a real policy would ask the catalog (isEntityOwner). */
  class TeamPolicy implements PermissionPolicy {
    async handle(
      request: PolicyQuery,
      user?: PolicyQueryUser,
    ): Promise<PolicyDecision> {
      if (request.permission.name !== deploymentHealthReadPermission.name)
        return { result: AuthorizeResult.ALLOW };
      const team = teams[user?.info.userEntityRef ?? ''];
      return {
        result:
          team === 'group:default/team-payments'
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      };
    }
  }

  async function statusAction() {
    const addActions = jest.fn();
    await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions }]],
      features: [
        scaffolderModule,
        permissionPlugin,
        createBackendModule({
          pluginId: 'permission',
          moduleId: 'team-policy',
          register(reg) {
            reg.registerInit({
              deps: { policy: policyExtensionPoint },
              async init({ policy }) {
                policy.setPolicy(new TeamPolicy());
              },
            });
          },
        }),
        catalogServiceMock.factory({ entities: [paymentsApi] }),
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            kubernetes: kubernetesConfig(api),
          },
        }),
      ],
    });
    return addActions.mock.calls
      .flat()
      .find((a: any) => a.id === 'shipyard:deployment:status');
  }

  it("refuses grace (team-storefront) team-payments' service before any cluster request; ada reads it", async () => {
    seedFixture(api, objects('healthy'));
    const action = await statusAction();
    const err = await action
      .handler(asUser('user:default/grace', { input: payments }))
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(NotAllowedError);
    expect(err.message).toBe(
      'User user:default/grace may not read the deployment health of component:default/payments-api: permission deployment-health.entity.read was denied',
    );
    expect(api.requests).toEqual([]);

    // the same in a dry run
    await expect(
      action.handler({
        ...asUser('user:default/grace', { input: payments }),
        isDryRun: true,
      }),
    ).rejects.toThrow(NotAllowedError);
    expect(api.requests).toEqual([]);

    const ctx = asUser('user:default/ada', { input: payments });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('status', 'Healthy');
    expect(api.requests.length).toBeGreaterThan(0);
  });
});

describeIntegration('shipyard:deployment:status (local cluster)', () => {
  jest.setTimeout(600_000);
  const local = localTeamNamespace('shipyard-status');
  const ns = local.namespace;
  beforeAll(async () => {
    // deployed as the templates do: by team-it's member tester
    const access = await teamItAccess([ns]);
    await createShipyardDeployAction({
      clusters: local.service,
      catalog: access.catalog,
      config: { tenancy: access.tenancy },
    }).handler(
      createMockActionContext({
        input: {
          chartPath: 'chart',
          releaseName: 'svc',
          entityRef: 'component:default/good-service',
          namespace: ns,
          cluster: 'dev',
          team: 'team-it',
          valuesFiles: ['chart/values-dev.yaml'],
        },
        workspacePath: local.workspacePath,
        user: access.user,
      }) as any,
    );
  });

  // The unit tests above read the reasons from FakeKubeApi's hand-written pod
  // status; here the pods' status is what the real API server stores after
  // kwok's failure stages (scripts/cluster.d/kwok-stages.yaml), read by the
  // action's real client.
  it('reports Healthy after deploy, then the detailed reasons of a crashloop and of OOM kills', async () => {
    const action = createShipyardDeploymentStatusAction({
      clusters: local.service,
      catalog: catalogServiceMock({
        entities: [component('good-service', 'group:default/team-it')],
      }),
      permissions: allowAll(),
      // the test namespace is team-it's
      config: {
        tenancy: {
          ...DEFAULT_TENANCY_RULES,
          teamNamespaces: { 'group:default/team-it': [ns] },
        },
      },
      pollIntervalMs: 2000,
    });
    const ctx = createMockActionContext({
      input: {
        entityRef: 'component:default/good-service',
        cluster: 'dev',
        waitSeconds: 60,
      },
    });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('status', 'Healthy');

    const simulate = (mode: 'crashloop' | 'oomkilled') =>
      execFileSync(path.resolve(__dirname, '../../../../scripts/cluster'), [
        'fail',
        'dev',
        ns,
        'svc-good-service',
        mode,
      ]);
    /** The action's failure once its message has every one of `parts`. */
    const failureWith = (parts: string[]) =>
      waitFor(
        async () => {
          const err = await action
            .handler(
              createMockActionContext({
                input: {
                  entityRef: 'component:default/good-service',
                  namespace: ns,
                  cluster: 'dev',
                  waitSeconds: 5,
                },
              }) as any,
            )
            .then(
              () => new Error('the action passed'),
              e => e as Error,
            );
          if (!parts.every(p => err.message.includes(p))) throw err;
          return err;
        },
        { what: `a failure naming ${parts.join(', ')}`, timeoutMs: 180_000 },
      );

    simulate('crashloop');
    const crash = await failureWith([
      'CrashLoopBackOff',
      'last termination Error (exit 1)',
    ]);
    expect(crash.message).toMatch(
      /good-service is (Progressing|Degraded|Failed) on dev after waiting 5s/,
    );
    expect(crash.message).toMatch(/Warning BackOff on Pod\/svc-good-service-/);

    simulate('oomkilled');
    const oom = await failureWith(['last termination OOMKilled (exit 137)']);
    expect(oom.message).toMatch(/restarts [1-9]/);
  });
});
