import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import { DEFAULT_TENANCY_RULES } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { describeIntegration } from '@shipyard-platform/deployment-health-test-utils';
import {
  kubectl,
  localTeamNamespace,
  stubClusterService,
} from '../__testUtils__/cluster';
import { orgCatalog, orgUser, teamItAccess } from '../__testUtils__/org';
import { resolveHelmBinary, runHelm } from '../lib/helm';
import { kubeErrorCode, withTempKubeconfig } from '../lib/kube';
import {
  BUILTIN_CLUSTER_SCOPED_KINDS,
  discoveryScopeOf,
} from '../lib/manifestScope';
import {
  asNamespaceDeployer,
  namespaceDeployerUser,
} from '../lib/teamNamespace';
import { createShipyardDeployAction } from './deploy';
import { redactCredentials } from './redact';
import { examples } from './deploy.examples';

const GOOD = path.resolve(__dirname, '../__fixtures__/good-service');
const REPO_ROOT = path.resolve(__dirname, '../../../..');
const TOKEN = 'super-secret-token-value';

/** The chart of the good-service fixture as payments-api into team-payments' namespace on dev. */
const PAYMENTS = {
  chartPath: 'chart',
  releaseName: 'payments-api',
  entityRef: 'component:default/payments-api',
  namespace: 'team-payments',
  cluster: 'dev',
  team: 'team-payments',
};

/**
 * A workspace with a chart `chart/` of one ConfigMap (in the release
 * namespace) plus the given extra templates (file name → content), or CRDs
 * (`crds/<name>`).
 */
async function chartWorkspace(files: Record<string, string> = {}) {
  const ws = await fs.mkdtemp(path.join(os.tmpdir(), 'shipyard-chart-'));
  const chart = path.join(ws, 'chart');
  await fs.mkdir(path.join(chart, 'templates'), { recursive: true });
  await fs.writeFile(
    path.join(chart, 'Chart.yaml'),
    'apiVersion: v2\nname: probe\nversion: 0.1.0\n',
  );
  await fs.writeFile(
    path.join(chart, 'templates/config.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\ndata:\n  owner: {{ .Values.owner | default "none" | quote }}\n',
  );
  for (const [name, content] of Object.entries(files)) {
    const file = name.startsWith('crds/')
      ? path.join(chart, name)
      : path.join(chart, 'templates', name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
  return ws;
}

/** Templates that write outside the release namespace (`other` is another namespace), by what they try. */
const escapes = (other: string) =>
  [
    [
      'a cluster-scoped ClusterRole',
      {
        'escape.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .Release.Name }}-escape
rules:
  - apiGroups: ['']
    resources: [secrets]
    verbs: [get]
`,
      },
      `ClusterRole/{{release}}-escape (probe/templates/escape.yaml): ClusterRole is cluster-scoped (a release may only write namespaced objects)`,
    ],
    [
      'a ConfigMap in another namespace',
      {
        'escape.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-escape
  namespace: ${other}
`,
      },
      `ConfigMap/{{release}}-escape (probe/templates/escape.yaml): metadata.namespace is "${other}" (must be {{namespace}} or unset)`,
    ],
    [
      'a kind: List with an item in another namespace',
      {
        'escape.yaml': `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: {{ .Release.Name }}-listed
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: {{ .Release.Name }}-escape
      namespace: ${other}
`,
      },
      `ConfigMap/{{release}}-escape (probe/templates/escape.yaml (List item 1)): metadata.namespace is "${other}" (must be {{namespace}} or unset)`,
    ],
    [
      'a hook in another namespace',
      {
        'escape.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-escape
  namespace: ${other}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
`,
      },
      `ConfigMap/{{release}}-escape (probe/templates/escape.yaml): metadata.namespace is "${other}" (must be {{namespace}} or unset)`,
    ],
  ] as const;

describe('shipyard:deploy (no cluster)', () => {
  let catalog: Awaited<ReturnType<typeof orgCatalog>>;
  beforeAll(async () => {
    catalog = await orgCatalog();
  });
  /** A cluster service whose kubeconfig must never be asked for. */
  const getKubeConfig = jest.fn();
  beforeEach(() => getKubeConfig.mockReset());
  const action = (helmPath?: string) =>
    createShipyardDeployAction({
      clusters: { ...stubClusterService(['dev', 'prod']), getKubeConfig },
      catalog,
      config: { helmPath, tenancy: DEFAULT_TENANCY_RULES },
    });
  /** A context of a task started by the example user `name`. */
  const asUser = (
    name: string,
    input: any,
    opts: { isDryRun?: boolean; workspacePath?: string } = {},
  ) => ({
    ...createMockActionContext({
      input,
      user: orgUser(name),
      workspacePath: opts.workspacePath ?? GOOD,
    }),
    isDryRun: opts.isDryRun ?? false,
  });

  it.each(examples.map((e, i) => [i, e.description, e] as const))(
    'runs example %i in dry run: %s',
    async (_i, _d, example) => {
      const step = yaml.parse(example.example).steps[0];
      const ctx = asUser('ada', step.input, { isDryRun: true });
      await action().handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith('release', 'payments-api');
      expect(ctx.output).toHaveBeenCalledWith('revision', 0);
      expect(getKubeConfig).not.toHaveBeenCalled();
    },
  );

  it('renders only in dry run, naming the identity helm would run as', async () => {
    const ctx = asUser(
      'ada',
      {
        ...PAYMENTS,
        releaseName: 'web',
        valuesFiles: ['chart/values-prod.yaml'],
      },
      { isDryRun: true },
    );
    const info = jest.spyOn(ctx.logger, 'info');
    await action().handler(ctx as any);
    expect(getKubeConfig).not.toHaveBeenCalled();
    expect(ctx.output).toHaveBeenCalledWith('revision', 0);
    expect(info).toHaveBeenCalledWith(
      expect.stringContaining(
        'as system:serviceaccount:team-payments:shipyard-deployer: ',
      ),
    );
    expect(info).toHaveBeenCalledWith(
      expect.stringContaining('HorizontalPodAutoscaler/web-good-service'),
    );
  });

  it.each([
    [{ ...PAYMENTS, chartPath: '../x' }, /Invalid chartPath/],
    [
      { ...PAYMENTS, chartPath: 'Dockerfile' },
      /Invalid chartPath "Dockerfile": no Chart.yaml/,
    ],
    [{ ...PAYMENTS, releaseName: 'A_B' }, /Invalid releaseName/],
    [{ ...PAYMENTS, namespace: 'N' }, /Invalid namespace "N"/],
    [
      { ...PAYMENTS, cluster: 'nope' },
      /Invalid cluster: unknown cluster "nope"/,
    ],
    [{ ...PAYMENTS, timeout: '5 minutes' }, /Invalid timeout/],
    [
      { ...PAYMENTS, valuesFiles: ['chart/values.yaml', '/etc/passwd'] },
      /Invalid valuesFiles\[1\]/,
    ],
    [
      { ...PAYMENTS, valuesFiles: ['chart/missing.yaml'] },
      /Invalid valuesFiles\[0\]/,
    ],
    [
      { ...PAYMENTS, team: 'team payments' },
      /Invalid team "team payments": must be a group name or group entity ref/,
    ],
    [
      { ...PAYMENTS, team: 'user:default/ada' },
      /Invalid team "user:default\/ada"/,
    ],
    [{ ...PAYMENTS, team: undefined }, /Invalid team "undefined"/],
    [
      { ...PAYMENTS, entityRef: undefined },
      /Invalid entityRef "undefined": must be an entity ref such as component:default\/payments-api/,
    ],
    [
      { ...PAYMENTS, entityRef: 'payments-api' },
      /Invalid entityRef "payments-api": must be an entity ref/,
    ],
    [
      { ...PAYMENTS, namespace: 'team-storefront' },
      'Invalid namespace "team-storefront": not a namespace of team group:default/team-payments (its namespaces: team-payments; shipyard.tenancy.teamNamespaces)',
    ],
    [
      { ...PAYMENTS, namespace: 'kube-system' },
      'Invalid namespace "kube-system": reserved for the platform (shipyard.tenancy.reservedNamespaces)',
    ],
  ])('rejects %j before any cluster call', async (input, message) => {
    for (const isDryRun of [false, true]) {
      const err = await action()
        .handler(asUser('ada', input, { isDryRun }) as any)
        .catch(e => e);
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(message);
    }
    expect(getKubeConfig).not.toHaveBeenCalled();
  });

  it('refuses a user of another team before helm or a cluster is used, also in dry run', async () => {
    for (const isDryRun of [false, true]) {
      // a helm path that does not exist: reaching helm would fail differently
      const err = await action('/nonexistent/helm')
        .handler(asUser('grace', PAYMENTS, { isDryRun }) as any)
        .catch(e => e);
      expect(err).toBeInstanceOf(NotAllowedError);
      expect(err.message).toBe(
        'User user:default/grace may not act for team group:default/team-payments: not a member of it or of a platform group (shipyard.tenancy.platformGroups)',
      );
    }
    expect(getKubeConfig).not.toHaveBeenCalled();
  });

  it.each(escapes('kube-system'))(
    'refuses in dry run a chart with %s',
    async (_what, files, problem) => {
      const workspacePath = await chartWorkspace(files);
      try {
        const err = await action()
          .handler(
            asUser(
              'ada',
              { ...PAYMENTS, releaseName: 'probe' },
              { isDryRun: true, workspacePath },
            ) as any,
          )
          .catch(e => e);
        expect(err).toBeInstanceOf(InputError);
        expect(err.message).toBe(
          `Invalid chartPath "chart": the chart writes outside namespace team-payments: ${problem
            .replace(/\{\{release\}\}/g, 'probe')
            .replace(/\{\{namespace\}\}/g, 'team-payments')}`,
        );
      } finally {
        await fs.rm(workspacePath, { recursive: true, force: true });
      }
    },
  );

  it('refuses a chart with CRDs, and a YAML merge key that the API server would read differently', async () => {
    const crd = await chartWorkspace({
      'crds/widgets.yaml':
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n',
    });
    const merge = await chartWorkspace({
      'merge.yaml':
        'apiVersion: v1\nkind: ConfigMap\nx: &ns\n  namespace: kube-system\nmetadata:\n  name: merged\n  <<: *ns\n',
    });
    try {
      await expect(
        action().handler(
          asUser('ada', PAYMENTS, {
            isDryRun: true,
            workspacePath: crd,
          }) as any,
        ),
      ).rejects.toThrow(
        'Invalid chartPath "chart": the chart has CustomResourceDefinitions in crds/, which are cluster-scoped',
      );
      await expect(
        action().handler(
          asUser('ada', PAYMENTS, {
            isDryRun: true,
            workspacePath: merge,
          }) as any,
        ),
      ).rejects.toThrow(
        'ConfigMap/merged (probe/templates/merge.yaml): YAML merge key "<<" is not allowed',
      );
    } finally {
      await fs.rm(crd, { recursive: true, force: true });
      await fs.rm(merge, { recursive: true, force: true });
    }
  });

  it('refuses a chart with a symbolic link out of it before helm runs (helm would follow it)', async () => {
    const workspacePath = await chartWorkspace();
    await fs.symlink(
      '/etc/hostname',
      path.join(workspacePath, 'chart/templates/host.yaml'),
    );
    try {
      await expect(
        action('/nonexistent/helm').handler(
          asUser('ada', PAYMENTS, { workspacePath }) as any,
        ),
      ).rejects.toThrow(
        'Invalid chartPath "chart": chart/templates/host.yaml: symbolic link to /etc/hostname points outside the chart',
      );
      expect(getKubeConfig).not.toHaveBeenCalled();
    } finally {
      await fs.rm(workspacePath, { recursive: true, force: true });
    }
  });

  it('does not touch the cluster again when the checkpoint has a result', async () => {
    const ctx = asUser('ada', PAYMENTS);
    (ctx as any).checkpoint = jest.fn(async () => 7);
    await action().handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('revision', 7);
    expect(getKubeConfig).not.toHaveBeenCalled();
  });

  it('redacts kubeconfig credentials and bearer tokens from text to log', () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'dev', server: 'https://127.0.0.1:1' }],
      users: [{ name: 'u', token: TOKEN }],
      contexts: [{ name: 'dev', cluster: 'dev', user: 'u' }],
      currentContext: 'dev',
    });
    expect(redactCredentials(`x ${TOKEN} y`, kc)).toBe('x [redacted] y');
    expect(redactCredentials('Authorization: Bearer abcdefgh12345')).toBe(
      'Authorization: Bearer [redacted]',
    );
    // the namespace deployer's kubeconfig keeps the token (and only adds the impersonation)
    const deployer = asNamespaceDeployer(kc, 'team-payments');
    expect(deployer.getCurrentUser()).toMatchObject({
      token: TOKEN,
      impersonateUser: 'system:serviceaccount:team-payments:shipyard-deployer',
    });
    expect(redactCredentials(`x ${TOKEN} y`, deployer)).toBe('x [redacted] y');
  });
});

describeIntegration('shipyard:deploy (local cluster)', () => {
  jest.setTimeout(600_000);
  const local = localTeamNamespace('shipyard-deploy');
  const ns = local.namespace;
  /** Another namespace on the cluster (of no team), the target of the escapes. */
  const other = `${ns}-other`;
  /** A namespace of team-it as an earlier version prepared it: labelled, without its deployer. */
  const older = `${ns}-older`;
  let access: Awaited<ReturnType<typeof teamItAccess>>;
  let helm: string;
  let deployerToken: string;
  beforeAll(async () => {
    helm = await resolveHelmBinary();
    // team-payments is mapped to the test namespace too, so grace's refusal is the membership one
    access = await teamItAccess([ns, older]);
    access.tenancy.teamNamespaces['group:default/team-payments'] = [ns];
    kubectl('dev', 'create', 'namespace', other);
    kubectl('dev', 'create', 'namespace', older);
    kubectl('dev', 'label', 'namespace', older, 'shipyard.dev/team=team-it');
    await fs.writeFile(
      path.join(local.workspacePath, 'values-unready.yaml'),
      'podLabels:\n  shipyard.dev/simulate: unready\n',
    );
    deployerToken = (
      await local.service.getKubeConfig('dev', 'deploy')
    ).getCurrentUser()!.token!;
  });
  afterAll(() => {
    kubectl('dev', 'delete', 'namespace', other, older, '--wait=false');
  });
  const action = () =>
    createShipyardDeployAction({
      clusters: local.service,
      catalog: access.catalog,
      config: { tenancy: access.tenancy },
    });
  /** A context of a task started by team-it's member tester (or `user`), logging into `logs`. */
  const ctxOf = (
    input: any,
    workspacePath: string,
    logs: string[] = [],
    user = access.user,
  ) => {
    const ctx = createMockActionContext({ input, workspacePath, user });
    for (const level of ['info', 'error', 'warn'] as const) {
      jest
        .spyOn(ctx.logger, level)
        .mockImplementation(((m: string) => logs.push(m)) as any);
    }
    return ctx;
  };
  const probeInput = (releaseName: string, entity = releaseName) => ({
    chartPath: 'chart',
    releaseName,
    entityRef: `component:default/${entity}`,
    namespace: ns,
    cluster: 'dev',
    team: 'team-it',
    timeout: '1m',
  });
  /** helm's release Secrets of `release` in the test namespace. */
  const releaseSecrets = (release: string) =>
    JSON.parse(
      kubectl(
        'dev',
        'get',
        'secret',
        '-n',
        ns,
        '-l',
        `owner=helm,name=${release}`,
        '-o',
        'json',
      ),
    ).items as any[];
  /** Whether the object exists (as the cluster admin sees it). */
  const exists = (...args: string[]) =>
    kubectl(
      'dev',
      'get',
      ...args,
      '--ignore-not-found',
      '-o',
      'name',
    ).trim() !== '';
  /** The good release's Deployment as the cluster has it now. */
  const goodDeployment = () =>
    JSON.parse(
      kubectl(
        'dev',
        '-n',
        ns,
        'get',
        'deployment',
        'good-good-service',
        '-o',
        'json',
      ),
    );

  it('installs, upgrades, and rolls back a failing upgrade; the release records its entity and team', async () => {
    const { workspacePath } = local;
    const input = {
      chartPath: './chart',
      releaseName: 'good',
      entityRef: 'component:default/good',
      namespace: ns,
      cluster: 'dev',
      team: 'team-it',
      valuesFiles: ['./chart/values.yaml', './chart/values-dev.yaml'],
      timeout: '2m',
    };
    const logs: string[] = [];
    const ctx1 = ctxOf(input, workspacePath, logs);
    await action().handler(ctx1 as any);
    expect(ctx1.output).toHaveBeenCalledWith('revision', 1);
    expect(goodDeployment().status.readyReplicas).toBe(1);
    expect(logs.join('\n')).toContain(`as ${namespaceDeployerUser(ns)}`);
    expect(releaseSecrets('good')[0].metadata.labels).toMatchObject({
      'shipyard.dev/entity-kind': 'component',
      'shipyard.dev/entity-namespace': 'default',
      'shipyard.dev/entity-name': 'good',
      'shipyard.dev/team': 'team-it',
    });

    const ctx2 = ctxOf(input, workspacePath, logs);
    await action().handler(ctx2 as any);
    expect(ctx2.output).toHaveBeenCalledWith('revision', 2);

    const ctx3 = ctxOf(
      {
        ...input,
        valuesFiles: [...input.valuesFiles, 'values-unready.yaml'],
        timeout: '20s',
      },
      workspacePath,
      logs,
    );
    const err = await action()
      .handler(ctx3 as any)
      .catch(e => e);
    // helm rolled back to the last good revision and said so (revision 4
    // "Rollback to 2" in its history): the message reports what helm did
    expect(err.message).toContain(
      `failed for good on dev/${ns} (rolled back to revision 2): `,
    );
    expect(err.message).toMatch(/has been rolled back due to atomic being set/);
    expect(err.message).not.toContain(deployerToken);
    expect(logs.join('\n')).not.toContain(deployerToken);
    const history = releaseSecrets('good');
    expect(history.length).toBeGreaterThanOrEqual(4); // 1, 2, failed 3, rollback 4
    for (const s of history) {
      expect(s.metadata.labels['shipyard.dev/entity-name']).toBe('good');
    }
    expect(
      goodDeployment().spec.template.metadata.labels['shipyard.dev/simulate'],
    ).toBeUndefined();
  });

  it.each(escapes(other))(
    'refuses a chart with %s before installing: no release, no object',
    async (_what, files, problem) => {
      const release = `escape-${Math.random().toString(36).slice(2, 8)}`;
      const workspacePath = await chartWorkspace(files);
      try {
        const err = await action()
          .handler(ctxOf(probeInput(release), workspacePath) as any)
          .catch(e => e);
        expect(err).toBeInstanceOf(InputError);
        expect(err.message).toBe(
          `Invalid chartPath "chart": the chart writes outside namespace ${ns}: ${problem
            .replace(/\{\{release\}\}/g, release)
            .replace(/\{\{namespace\}\}/g, ns)}`,
        );
        expect(releaseSecrets(release)).toEqual([]);
        expect(exists('configmap', '-n', ns, `${release}-config`)).toBe(false);
        expect(exists('configmap', '-n', other, `${release}-escape`)).toBe(
          false,
        );
        expect(exists('clusterrole', `${release}-escape`)).toBe(false);
      } finally {
        await fs.rm(workspacePath, { recursive: true, force: true });
      }
    },
  );

  it.each(escapes(other))(
    'the API server refuses %s from helm as the namespace deployer (no pre-check)',
    async (_what, files) => {
      const release = `rbac-${Math.random().toString(36).slice(2, 8)}`;
      const workspacePath = await chartWorkspace(files);
      const kc = asNamespaceDeployer(
        await local.service.getKubeConfig('dev', 'deploy'),
        ns,
      );
      try {
        const r = await withTempKubeconfig(kc, kubeconfig =>
          runHelm(
            helm,
            [
              'install',
              release,
              path.join(workspacePath, 'chart'),
              '--namespace',
              ns,
            ],
            { env: { KUBECONFIG: kubeconfig, HOME: path.dirname(kubeconfig) } },
          ),
        );
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(
          new RegExp(
            `is forbidden: User "${namespaceDeployerUser(
              ns,
            )}" cannot (get|create|delete) resource "(clusterroles|configmaps)" in API group "[a-z0-9.]*" (at the cluster scope|in the namespace "${other}")`,
          ),
        );
        expect(exists('configmap', '-n', other, `${release}-escape`)).toBe(
          false,
        );
        expect(exists('clusterrole', `${release}-escape`)).toBe(false);
      } finally {
        await fs.rm(workspacePath, { recursive: true, force: true });
      }
    },
  );

  it('gives the deployer no workload rights, and its namespace deployer edit in that namespace only', async () => {
    const deployerKc = await local.service.getKubeConfig('dev', 'deploy');
    const configMap = (namespace: string): KubernetesObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'rbac-probe', namespace },
    });
    /** HTTP status of a server-side dry-run create (authorized like a real one, writes nothing). */
    const create = async (kc: KubeConfig, obj: KubernetesObject) => {
      try {
        await KubernetesObjectApi.makeApiClient(kc).create(
          obj,
          undefined,
          'All',
        );
        return 201;
      } catch (e) {
        return kubeErrorCode(e);
      }
    };
    const asDeployer = asNamespaceDeployer(deployerKc, ns);
    expect(await create(deployerKc, configMap(ns))).toBe(403);
    expect(await create(asDeployer, configMap(ns))).toBe(201);
    expect(await create(asDeployer, configMap(other))).toBe(403);
    expect(
      await create(asDeployer, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'rbac-probe' },
      }),
    ).toBe(403);
    // the deployer may impersonate no one else (here kube-system's default ServiceAccount)
    const asOther = new KubeConfig();
    asOther.loadFromOptions({
      clusters: deployerKc.getClusters(),
      users: deployerKc.getUsers().map(u => ({
        ...u,
        impersonateUser: 'system:serviceaccount:kube-system:default',
      })),
      contexts: deployerKc.getContexts(),
      currentContext: deployerKc.getCurrentContext(),
    });
    expect(await create(asOther, configMap('kube-system'))).toBe(403);
  });

  it('refuses to take over a release of another entity, or one recording none; nothing changes', async () => {
    const workspacePath = await chartWorkspace();
    try {
      await action().handler(
        ctxOf(probeInput('shared', 'svc-a'), workspacePath) as any,
      );
      /** The release's ConfigMap changes version on any write to it. */
      const configVersion = () =>
        kubectl(
          'dev',
          'get',
          'configmap',
          '-n',
          ns,
          'shared-config',
          '-o',
          'jsonpath={.metadata.resourceVersion}',
        );
      const before = configVersion();
      const err = await action()
        .handler(ctxOf(probeInput('shared', 'svc-b'), workspacePath) as any)
        .catch(e => e);
      expect(err).toBeInstanceOf(NotAllowedError);
      expect(err.message).toBe(
        `Release shared in namespace ${ns} on cluster dev belongs to component:default/svc-a, not to component:default/svc-b: an existing release is upgraded only for the entity that installed it`,
      );
      expect(
        releaseSecrets('shared').map(s => s.metadata.labels.version),
      ).toEqual(['1']);
      expect(configVersion()).toBe(before);
      // the same entity upgrades it
      const ctx = ctxOf(probeInput('shared', 'svc-a'), workspacePath);
      await action().handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith('revision', 2);

      // a release installed without Shipyard (by the cluster admin) records no entity
      execFileSync(path.join(REPO_ROOT, 'scripts/cluster'), [
        'helm',
        'dev',
        'install',
        'unowned',
        path.join(workspacePath, 'chart'),
        '-n',
        ns,
      ]);
      const unowned = await action()
        .handler(ctxOf(probeInput('unowned'), workspacePath) as any)
        .catch(e => e);
      expect(unowned).toBeInstanceOf(NotAllowedError);
      expect(unowned.message).toBe(
        `Release unowned in namespace ${ns} on cluster dev belongs to no entity (no shipyard.dev/entity-* labels), not to component:default/unowned: an existing release is upgraded only for the entity that installed it`,
      );
      expect(releaseSecrets('unowned')).toHaveLength(1);
    } finally {
      await fs.rm(workspacePath, { recursive: true, force: true });
    }
  });

  it('refuses a user of another team (grace for team-payments): no release', async () => {
    const workspacePath = await chartWorkspace();
    try {
      const err = await action()
        .handler(
          ctxOf(
            { ...probeInput('grace-svc'), team: 'team-payments' },
            workspacePath,
            [],
            orgUser('grace'),
          ) as any,
        )
        .catch(e => e);
      expect(err).toBeInstanceOf(NotAllowedError);
      expect(err.message).toBe(
        'User user:default/grace may not act for team group:default/team-payments: not a member of it or of a platform group (shipyard.tenancy.platformGroups)',
      );
      expect(releaseSecrets('grace-svc')).toEqual([]);
      expect(exists('configmap', '-n', ns, 'grace-svc-config')).toBe(false);
    } finally {
      await fs.rm(workspacePath, { recursive: true, force: true });
    }
  });

  it('refuses a namespace without its deployer ServiceAccount, naming the action that adds it', async () => {
    const workspacePath = await chartWorkspace();
    try {
      await expect(
        action().handler(
          ctxOf(
            { ...probeInput('old'), namespace: older },
            workspacePath,
          ) as any,
        ),
      ).rejects.toThrow(
        `[dev] reading the helm release old in namespace ${older} failed: HTTP 403: secrets is forbidden: User "system:serviceaccount:${older}:shipyard-deployer" cannot list resource "secrets" in API group "" in the namespace "${older}" (shipyard:kubernetes:namespace gives the namespace its deployer; run it for this namespace)`,
      );
      expect(exists('configmap', '-n', older, 'old-config')).toBe(false);
    } finally {
      await fs.rm(workspacePath, { recursive: true, force: true });
    }
  });

  it('knows every cluster-scoped kind the API server serves', async () => {
    // An aggregated API (metrics.k8s.io) answers 503 until its server is ready.
    const discover = async (url: string) => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        try {
          return JSON.parse(kubectl('dev', 'get', '--raw', url));
        } catch (e) {
          if (
            !String(e).includes('ServiceUnavailable') ||
            Date.now() > deadline
          )
            throw e;
          await new Promise(r => setTimeout(r, 2000));
        }
      }
    };
    const kinds = await discover('/apis');
    const scopeOf = discoveryScopeOf(
      await local.service.getKubeConfig('dev', 'deploy'),
    );
    const served: string[] = [];
    const versions = [
      'v1',
      ...kinds.groups.map((g: any) => g.preferredVersion.groupVersion),
    ];
    for (const gv of versions) {
      const list = await discover(gv === 'v1' ? '/api/v1' : `/apis/${gv}`);
      for (const r of list.resources) {
        if (r.name.includes('/') || r.namespaced) continue;
        served.push(`${gv.includes('/') ? gv.split('/')[0] : ''}/${r.kind}`);
        expect(await scopeOf(gv, r.kind)).toBe(false);
      }
    }
    expect(served.length).toBeGreaterThan(10);
    expect(served.filter(k => !BUILTIN_CLUSTER_SCOPED_KINDS.has(k))).toEqual(
      [],
    );
  }, 180_000);
});
