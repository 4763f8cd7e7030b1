import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import yaml from 'yaml';
import { describeIntegration } from '@shipyard-platform/deployment-health-test-utils';
import {
  deleteNamespace,
  kubectl,
  localClusterService,
  stubClusterService,
} from '../__testUtils__/cluster';
import { teamNamespaceManifests } from '../lib/teamNamespace';
import { createShipyardKubernetesNamespaceAction } from './kubernetesNamespace';
import { examples } from './kubernetesNamespace.examples';

describe('shipyard:kubernetes:namespace (unit)', () => {
  const patch = jest.fn();
  /** The namespace as the cluster answers it; by default it does not exist yet. */
  const read = jest.fn();
  beforeEach(() => {
    patch.mockReset().mockImplementation(async (o: any) => o);
    read
      .mockReset()
      .mockRejectedValue(Object.assign(new Error('not found'), { code: 404 }));
    jest
      .spyOn(KubernetesObjectApi, 'makeApiClient')
      .mockReturnValue({ patch, read } as any);
  });
  afterEach(() => jest.restoreAllMocks());

  const service = stubClusterService(['dev', 'prod']);
  const action = createShipyardKubernetesNamespaceAction({ clusters: service });

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

  it.each(examples.map((e, i) => [i, e.description, e] as const))(
    'runs example %i: %s',
    async (_i, _d, example) => {
      const step = yaml.parse(example.example).steps[0];
      const ctx = createMockActionContext({ input: step.input });
      await action.handler(ctx as any);
      const clusters = step.input.clusters ?? ['dev', 'prod'];
      expect(patch).toHaveBeenCalledTimes(8 * clusters.length);
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
    const ctx = {
      ...createMockActionContext({
        input: { namespace: 'n1', team: 't', clusters: ['dev'] },
      }),
      isDryRun: true,
    };
    await action.handler(ctx as any);
    expect(patch.mock.calls.every(c => c[2] === 'All')).toBe(true);
  });

  it.each([
    [{ namespace: 'Bad_NS', team: 't' }, /Invalid namespace "Bad_NS"/],
    [{ namespace: 'ok', team: 'bad team' }, /Invalid team "bad team"/],
    [
      { namespace: 'ok', team: 't', clusters: ['nope'] },
      /Invalid clusters: unknown cluster "nope"/,
    ],
  ])('rejects bad input %j', async (input, message) => {
    const ctx = createMockActionContext({ input });
    await expect(action.handler(ctx as any)).rejects.toThrow(message);
    expect(patch).not.toHaveBeenCalled();
  });

  it('updates a namespace of the same team', async () => {
    read.mockResolvedValue({
      metadata: { name: 'ok', labels: { 'shipyard.dev/team': 't' } },
    });
    const ctx = createMockActionContext({
      input: { namespace: 'ok', team: 't', clusters: ['dev'] },
    });
    await action.handler(ctx as any);
    expect(patch).toHaveBeenCalledTimes(8);
  });

  it.each([
    [{ 'shipyard.dev/team': 'team-other' }, /belongs to team "team-other"/],
    [{}, /belongs to no team/],
  ])('never takes over a namespace labelled %j', async (labels, message) => {
    read.mockResolvedValue({ metadata: { name: 'kube-system', labels } });
    const ctx = createMockActionContext({
      input: { namespace: 'kube-system', team: 't', clusters: ['dev'] },
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(message);
    expect(patch).not.toHaveBeenCalled();
  });

  it('refuses clusters outside shipyard.deploy.allowedClusters', async () => {
    const restricted = createShipyardKubernetesNamespaceAction({
      clusters: service,
      config: { allowedClusters: ['dev'] },
    });
    const ctx = createMockActionContext({
      input: { namespace: 'ok', team: 't', clusters: ['prod'] },
    });
    await expect(restricted.handler(ctx as any)).rejects.toThrow(
      /allowedClusters/,
    );
  });

  it('reports API errors without credentials', async () => {
    patch.mockRejectedValue(
      Object.assign(new Error('boom'), {
        code: 403,
        body: JSON.stringify({ message: 'namespaces is forbidden' }),
      }),
    );
    const ctx = createMockActionContext({
      input: { namespace: 'ok', team: 't', clusters: ['dev'] },
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      '[dev] applying Namespace/ok failed: HTTP 403: namespaces is forbidden',
    );
  });
});

describeIntegration('shipyard:kubernetes:namespace (local cluster)', () => {
  jest.setTimeout(600_000);
  let service: ReturnType<typeof localClusterService>['service'];
  const ns = `shipyard-it-${Date.now().toString(36)}`;
  beforeAll(() => {
    service = localClusterService('dev').service;
  });
  afterAll(() => deleteNamespace('dev', ns));

  it('dry run creates nothing, apply is idempotent', async () => {
    const action = createShipyardKubernetesNamespaceAction({
      clusters: service,
    });
    const input = { namespace: ns, team: 'team-it', clusters: ['dev'] };
    await action.handler({
      ...createMockActionContext({ input }),
      isDryRun: true,
    } as any);
    expect(
      kubectl(
        'dev',
        'get',
        'namespace',
        ns,
        '--ignore-not-found',
        '-o',
        'name',
      ),
    ).toBe('');

    for (let i = 0; i < 2; i++) {
      const ctx = createMockActionContext({ input });
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
      .split('\n')
      .sort();
    expect(names).toEqual([
      'limitrange/team-defaults',
      'networkpolicy.networking.k8s.io/allow-dns',
      'networkpolicy.networking.k8s.io/allow-ingress-controller',
      'networkpolicy.networking.k8s.io/allow-same-namespace',
      'networkpolicy.networking.k8s.io/default-deny',
      'resourcequota/team-quota',
      'rolebinding.rbac.authorization.k8s.io/team-edit',
    ]);
    // another team cannot take the namespace over; its label stays
    await expect(
      action.handler(
        createMockActionContext({
          input: { ...input, team: 'team-other' },
        }) as any,
      ),
    ).rejects.toThrow(`belongs to team "team-it", not to team "team-other"`);
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
});
