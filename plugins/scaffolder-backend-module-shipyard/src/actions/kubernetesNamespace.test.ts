import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import yaml from 'yaml';
import type { ShipyardClustersService } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { describeIntegration } from '@shipyard-platform/deployment-health-test-utils';
import {
  deleteNamespace,
  kubectl,
  localClusterService,
  stubClusterService,
} from '../__testUtils__/cluster';
import { InputError, NotAllowedError } from '@backstage/errors';
import { DEFAULT_TENANCY_RULES } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { orgCatalog, orgUser, teamItAccess } from '../__testUtils__/org';
import { ShipyardModuleConfig } from '../config';
import { teamNamespaceManifests } from '../lib/teamNamespace';
import { createShipyardKubernetesNamespaceAction } from './kubernetesNamespace';
import { examples } from './kubernetesNamespace.examples';

/** How many objects make up a team namespace (one patch each). */
const OBJECTS = teamNamespaceManifests({ namespace: 'n', team: 't' }).length;

describe('shipyard:kubernetes:namespace (unit)', () => {
  const patch = jest.fn();
  /** The namespace as the cluster answers it; by default it does not exist yet. */
  const read = jest.fn();
  let makeApiClient: jest.SpyInstance;
  let catalog: Awaited<ReturnType<typeof orgCatalog>>;
  beforeAll(async () => {
    catalog = await orgCatalog();
  });
  beforeEach(() => {
    patch.mockReset().mockImplementation(async (o: any) => o);
    read
      .mockReset()
      .mockRejectedValue(Object.assign(new Error('not found'), { code: 404 }));
    makeApiClient = jest
      .spyOn(KubernetesObjectApi, 'makeApiClient')
      .mockReturnValue({ patch, read } as any);
  });
  afterEach(() => jest.restoreAllMocks());

  const service = stubClusterService(['dev', 'prod']);
  const newAction = (config?: ShipyardModuleConfig) =>
    createShipyardKubernetesNamespaceAction({
      clusters: service,
      catalog,
      config,
    });
  /** A context of a task started by the example user `name`. */
  const asUser = (name: string, input: any, isDryRun = false) => ({
    ...createMockActionContext({ input, user: orgUser(name) }),
    isDryRun,
  });
  const ADA = (input: any) => asUser('ada', input);

  it('builds the namespace objects', () => {
    const objs = teamNamespaceManifests({
      namespace: 'payments',
      team: 'team-payments',
    }) as any[];
    expect(objs.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/payments',
      'ResourceQuota/team-quota',
      'LimitRange/team-defaults',
      'NetworkPolicy/default-deny',
      'NetworkPolicy/allow-same-namespace',
      'NetworkPolicy/allow-ingress-controller',
      'NetworkPolicy/allow-dns',
      'RoleBinding/team-edit',
      'ServiceAccount/shipyard-deployer',
      'RoleBinding/shipyard-deployer',
    ]);
    expect(objs[0].metadata.labels).toMatchObject({
      'shipyard.dev/team': 'team-payments',
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
    expect(objs[7]).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'Group', name: 'team-payments' }],
    });
  });

  it('caps object counts in the team quota', () => {
    const quota = teamNamespaceManifests({
      namespace: 'payments',
      team: 'team-payments',
    }).find(o => o.kind === 'ResourceQuota') as any;
    for (const key of [
      'count/deployments.apps',
      'count/replicasets.apps',
      'count/statefulsets.apps',
      'count/jobs.batch',
      'count/cronjobs.batch',
      'count/horizontalpodautoscalers.autoscaling',
      'count/ingresses.networking.k8s.io',
      'count/poddisruptionbudgets.policy',
      'count/serviceaccounts',
      'pods',
      'services',
      'secrets',
      'configmaps',
      'persistentvolumeclaims',
    ]) {
      expect(Number(quota.spec.hard[key])).toBeGreaterThan(0);
    }
  });

  it.each(examples.map((e, i) => [i, e.description, e] as const))(
    'runs example %i: %s',
    async (_i, _d, example) => {
      const step = yaml.parse(example.example).steps[0];
      const ctx = ADA(step.input);
      await newAction().handler(ctx as any);
      const clusters = step.input.clusters ?? ['dev', 'prod'];
      expect(patch).toHaveBeenCalledTimes(OBJECTS * clusters.length);
      expect(patch).toHaveBeenCalledWith(
        expect.objectContaining({ kind: 'Namespace' }),
        undefined,
        undefined,
        'shipyard-scaffolder',
        true,
        'application/apply-patch+yaml',
      );
      expect(ctx.output).toHaveBeenCalledWith('clusters', clusters);
    },
  );

  it('uses server-side dry run in dry run', async () => {
    const ctx = asUser(
      'ada',
      { namespace: 'team-payments', team: 'team-payments', clusters: ['dev'] },
      true,
    );
    await newAction().handler(ctx as any);
    expect(patch).toHaveBeenCalled();
    expect(patch.mock.calls.every(c => c[2] === 'All')).toBe(true);
  });

  describe("acts only for the signed-in user's teams, before any cluster call", () => {
    const getKubeConfig = jest.spyOn(service, 'getKubeConfig');
    const listClusters = jest.spyOn(service, 'listClusters');
    const expectNoClusterCall = () => {
      expect(listClusters).not.toHaveBeenCalled();
      expect(getKubeConfig).not.toHaveBeenCalled();
      expect(makeApiClient).not.toHaveBeenCalled();
      expect(patch).not.toHaveBeenCalled();
      expect(read).not.toHaveBeenCalled();
    };
    beforeEach(() => {
      getKubeConfig.mockClear();
      listClusters.mockClear();
    });

    it.each([false, true])(
      'refuses grace for team-payments (dry run: %s)',
      async isDryRun => {
        const ctx = asUser(
          'grace',
          {
            namespace: 'team-payments',
            team: 'group:default/team-payments',
            clusters: ['dev'],
          },
          isDryRun,
        );
        const run = newAction().handler(ctx as any);
        await expect(run).rejects.toThrow(NotAllowedError);
        await expect(run).rejects.toThrow(
          'User user:default/grace may not act for team group:default/team-payments: not a member of it or of a platform group (shipyard.tenancy.platformGroups)',
        );
        expectNoClusterCall();
        expect(ctx.output).not.toHaveBeenCalled();
      },
    );

    it('refuses a task without a signed-in user', async () => {
      const ctx = createMockActionContext({
        input: { namespace: 'team-payments', team: 'team-payments' },
      });
      await expect(newAction().handler(ctx as any)).rejects.toThrow(
        'Only a signed-in user may act for team group:default/team-payments',
      );
      expectNoClusterCall();
    });

    it.each([
      [
        'a group that is not in the catalog',
        { namespace: 'team-nope', team: 'team-nope' },
        'Invalid team "team-nope": no group group:default/team-nope in the catalog',
      ],
      [
        'a namespace of another team',
        { namespace: 'team-storefront', team: 'team-payments' },
        'Invalid namespace "team-storefront": not a namespace of team group:default/team-payments (its namespaces: team-payments; shipyard.tenancy.teamNamespaces)',
      ],
      [
        'a reserved namespace',
        { namespace: 'kube-system', team: 'team-payments' },
        'Invalid namespace "kube-system": reserved for the platform (shipyard.tenancy.reservedNamespaces)',
      ],
      [
        'an infrastructure namespace as the team',
        { namespace: 'ingress-nginx', team: 'ingress-nginx' },
        'Invalid namespace "ingress-nginx": reserved for the platform (shipyard.tenancy.reservedNamespaces)',
      ],
    ])('refuses %s', async (_what, input, message) => {
      const ctx = ADA({ ...input, clusters: ['dev'] });
      await expect(newAction().handler(ctx as any)).rejects.toThrow(
        new InputError(message),
      );
      expectNoClusterCall();
    });

    it("lets a platform group member prepare another team's namespace", async () => {
      const action = newAction({
        tenancy: {
          ...DEFAULT_TENANCY_RULES,
          platformGroups: ['group:default/team-platform'],
        },
      });
      const input = {
        namespace: 'team-storefront',
        team: 'team-storefront',
        clusters: ['dev'],
      };
      await action.handler(asUser('linus', input) as any);
      expect(patch).toHaveBeenCalledTimes(OBJECTS);
      patch.mockClear();
      // not without the configured platform group
      await expect(
        newAction().handler(asUser('linus', input) as any),
      ).rejects.toThrow(NotAllowedError);
      expect(patch).not.toHaveBeenCalled();
    });

    it('uses the configured namespaces of a team', async () => {
      const action = newAction({
        tenancy: {
          ...DEFAULT_TENANCY_RULES,
          teamNamespaces: {
            'group:default/team-payments': ['payments', 'ledger'],
          },
        },
      });
      await action.handler(
        ADA({
          namespace: 'ledger',
          team: 'team-payments',
          clusters: ['dev'],
        }) as any,
      );
      expect(patch).toHaveBeenCalledWith(
        expect.objectContaining({
          kind: 'Namespace',
          metadata: expect.objectContaining({
            name: 'ledger',
            labels: expect.objectContaining({
              'shipyard.dev/team': 'team-payments',
            }),
          }),
        }),
        undefined,
        undefined,
        'shipyard-scaffolder',
        true,
        'application/apply-patch+yaml',
      );
      patch.mockClear();
      await expect(
        action.handler(
          ADA({ namespace: 'team-payments', team: 'team-payments' }) as any,
        ),
      ).rejects.toThrow('its namespaces: payments, ledger');
      expect(patch).not.toHaveBeenCalled();
    });
  });

  it.each([
    [
      { namespace: 'Bad_NS', team: 'team-payments' },
      /Invalid namespace "Bad_NS"/,
    ],
    [{ namespace: 'ok', team: 'bad team' }, /Invalid team "bad team"/],
    [
      { namespace: 'team-payments', team: 'team-payments', clusters: ['nope'] },
      /Invalid clusters: unknown cluster "nope"/,
    ],
  ])('rejects bad input %j', async (input, message) => {
    await expect(newAction().handler(ADA(input) as any)).rejects.toThrow(
      message,
    );
    expect(patch).not.toHaveBeenCalled();
  });

  it('updates a namespace of the same team', async () => {
    read.mockResolvedValue({
      metadata: {
        name: 'team-payments',
        labels: { 'shipyard.dev/team': 'team-payments' },
      },
    });
    await newAction().handler(
      ADA({
        namespace: 'team-payments',
        team: 'team-payments',
        clusters: ['dev'],
      }) as any,
    );
    expect(patch).toHaveBeenCalledTimes(OBJECTS);
  });

  it.each([
    [{ 'shipyard.dev/team': 'team-other' }, /belongs to team "team-other"/],
    [{}, /belongs to no team/],
  ])('never takes over a namespace labelled %j', async (labels, message) => {
    read.mockResolvedValue({ metadata: { name: 'team-payments', labels } });
    await expect(
      newAction().handler(
        ADA({
          namespace: 'team-payments',
          team: 'team-payments',
          clusters: ['dev'],
        }) as any,
      ),
    ).rejects.toThrow(message);
    expect(patch).not.toHaveBeenCalled();
  });

  it('refuses clusters outside shipyard.deploy.allowedClusters', async () => {
    await expect(
      newAction({ allowedClusters: ['dev'] }).handler(
        ADA({
          namespace: 'team-payments',
          team: 'team-payments',
          clusters: ['prod'],
        }) as any,
      ),
    ).rejects.toThrow(/allowedClusters/);
    expect(patch).not.toHaveBeenCalled();
  });

  it('reports API errors without credentials', async () => {
    patch.mockRejectedValue(
      Object.assign(new Error('boom'), {
        code: 403,
        body: JSON.stringify({ message: 'namespaces is forbidden' }),
      }),
    );
    await expect(
      newAction().handler(
        ADA({
          namespace: 'team-payments',
          team: 'team-payments',
          clusters: ['dev'],
        }) as any,
      ),
    ).rejects.toThrow(
      '[dev] applying Namespace/team-payments failed: HTTP 403: namespaces is forbidden',
    );
  });
});

describeIntegration('shipyard:kubernetes:namespace (local cluster)', () => {
  jest.setTimeout(600_000);
  let service: ShipyardClustersService;
  const stamp = Date.now().toString(36);
  const ns = `shipyard-it-${stamp}`;
  /** Namespaces a refused call must not create. */
  const refused = {
    otherTeam: `shipyard-it-grace-${stamp}`,
    configuredReserved: `shipyard-it-reserved-${stamp}`,
    prefixReserved: `kube-shipyard-it-${stamp}`,
  };
  let access: Awaited<ReturnType<typeof teamItAccess>>;
  beforeAll(async () => {
    service = await localClusterService('dev');
    access = await teamItAccess([ns, ...Object.values(refused)]);
  });
  afterAll(() => {
    for (const n of [ns, ...Object.values(refused)]) deleteNamespace('dev', n);
  });
  const namespaceExists = (name: string) =>
    kubectl(
      'dev',
      'get',
      'namespace',
      name,
      '--ignore-not-found',
      '-o',
      'name',
    ).trim() !== '';
  const newAction = (tenancy = access.tenancy) =>
    createShipyardKubernetesNamespaceAction({
      clusters: service,
      catalog: access.catalog,
      config: {
        tenancy: {
          ...tenancy,
          reservedNamespaces: [
            ...tenancy.reservedNamespaces,
            refused.configuredReserved,
          ],
        },
      },
    });

  it('dry run creates nothing, apply is idempotent', async () => {
    const action = newAction();
    const input = { namespace: ns, team: 'team-it', clusters: ['dev'] };
    await action.handler({
      ...createMockActionContext({ input, user: access.user }),
      isDryRun: true,
    } as any);
    expect(namespaceExists(ns)).toBe(false);

    for (let i = 0; i < 2; i++) {
      const ctx = createMockActionContext({ input, user: access.user });
      await action.handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith(
        'objects',
        expect.arrayContaining([`dev: RoleBinding/team-edit in ${ns}`]),
      );
    }
    const nsObj = JSON.parse(
      kubectl('dev', 'get', 'namespace', ns, '-o', 'json'),
    );
    expect(nsObj.metadata.labels).toMatchObject({
      'shipyard.dev/team': 'team-it',
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
    const names = kubectl(
      'dev',
      '-n',
      ns,
      'get',
      'resourcequota,limitrange,networkpolicy,rolebinding',
      '-o',
      'name',
    )
      .trim()
      .split('\n');
    expect(names).toEqual(
      expect.arrayContaining([
        'limitrange/team-defaults',
        'networkpolicy.networking.k8s.io/allow-dns',
        'networkpolicy.networking.k8s.io/allow-ingress-controller',
        'networkpolicy.networking.k8s.io/allow-same-namespace',
        'networkpolicy.networking.k8s.io/default-deny',
        'resourcequota/team-quota',
        'rolebinding.rbac.authorization.k8s.io/team-edit',
      ]),
    );
    // the API server enforces the object counts of the quota
    const quota = JSON.parse(
      kubectl(
        'dev',
        '-n',
        ns,
        'get',
        'resourcequota',
        'team-quota',
        '-o',
        'json',
      ),
    );
    expect(quota.status.hard).toMatchObject({
      'count/deployments.apps': '40',
      'count/replicasets.apps': '200',
      pods: '50',
      secrets: '250',
      configmaps: '100',
    });
    // another team cannot take the namespace over, even when config maps the
    // namespace to it as well: the namespace label decides; its label stays
    const storefrontToo = {
      ...access.tenancy,
      teamNamespaces: {
        ...access.tenancy.teamNamespaces,
        'group:default/team-storefront': [ns],
      },
    };
    await expect(
      newAction(storefrontToo).handler(
        createMockActionContext({
          input: { ...input, team: 'team-storefront' },
          user: orgUser('grace'),
        }) as any,
      ),
    ).rejects.toThrow(
      `belongs to team "team-it", not to team "team-storefront"`,
    );
    expect(
      JSON.parse(kubectl('dev', 'get', 'namespace', ns, '-o', 'json')).metadata
        .labels['shipyard.dev/team'],
    ).toBe('team-it');
    // the team group can now edit deployments in the namespace
    expect(
      kubectl(
        'dev',
        'auth',
        'can-i',
        'create',
        'deployments',
        '-n',
        ns,
        '--as',
        'someone',
        '--as-group',
        'team-it',
      ).trim(),
    ).toBe('yes');
  });

  it.each([false, true])(
    'refuses grace for team-it and creates no namespace (dry run: %s)',
    async isDryRun => {
      await expect(
        newAction().handler({
          ...createMockActionContext({
            input: {
              namespace: refused.otherTeam,
              team: 'group:default/team-it',
              clusters: ['dev'],
            },
            user: orgUser('grace'),
          }),
          isDryRun,
        } as any),
      ).rejects.toThrow(
        'User user:default/grace may not act for team group:default/team-it: not a member of it or of a platform group (shipyard.tenancy.platformGroups)',
      );
      expect(namespaceExists(refused.otherTeam)).toBe(false);
    },
  );

  it.each([refused.configuredReserved, refused.prefixReserved])(
    'refuses the reserved namespace %s for a member and creates nothing',
    async name => {
      await expect(
        newAction().handler(
          createMockActionContext({
            input: { namespace: name, team: 'team-it', clusters: ['dev'] },
            user: access.user,
          }) as any,
        ),
      ).rejects.toThrow(
        `Invalid namespace "${name}": reserved for the platform (shipyard.tenancy.reservedNamespaces)`,
      );
      expect(namespaceExists(name)).toBe(false);
    },
  );
});
