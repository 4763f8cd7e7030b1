import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import { describeIntegration } from '@shipyard-platform/deployment-health-test-utils';
import {
  kubectl,
  localTeamNamespace,
  stubClusterService,
} from '../__testUtils__/cluster';
import { resolveHelmBinary } from '../lib/helm';
import { createShipyardDeployAction, redactCredentials } from './deploy';
import { examples } from './deploy.examples';

const GOOD = path.resolve(__dirname, '../__fixtures__/good-service');
/** The chart of the good-service fixture as payments-api into namespace payments on dev. */
const PAYMENTS = {
  chartPath: 'chart',
  releaseName: 'payments-api',
  namespace: 'payments',
  cluster: 'dev',
};
const TOKEN = 'super-secret-token-value';

function fakeKubeConfig() {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'dev', server: 'https://127.0.0.1:1', skipTLSVerify: false },
    ],
    users: [{ name: 'u', token: TOKEN }],
    contexts: [{ name: 'dev', cluster: 'dev', user: 'u' }],
    currentContext: 'dev',
  });
  return kc;
}

describe('shipyard:deploy (fake helm)', () => {
  let tmp: string;
  let workspacePath: string;
  let helm: string;
  let record: string;
  /** The namespace as the cluster would answer it (the stub cluster has no API server). */
  const readNamespace = jest.fn();
  /** Renders (helm template) for the fake, which only pretends to install. */
  let realHelm: string;
  beforeAll(async () => {
    realHelm = await resolveHelmBinary();
  });
  beforeEach(async () => {
    readNamespace.mockReset().mockResolvedValue({
      metadata: {
        name: 'payments',
        labels: { 'shipyard.dev/team': 'team-payments' },
      },
    });
    jest
      .spyOn(KubernetesObjectApi, 'makeApiClient')
      .mockReturnValue({ read: readNamespace } as any);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'shipyard-deploy-'));
    workspacePath = path.join(tmp, 'ws');
    await fs.cp(GOOD, workspacePath, { recursive: true });
    record = path.join(tmp, 'record');
    helm = path.join(tmp, 'helm');
    // records its args and the kubeconfig it was given; fails when FAIL exists
    await fs.writeFile(
      helm,
      `#!/bin/sh
if [ "$1" = "upgrade" ]; then
  echo "$@" >> "${record}"
  cp "$KUBECONFIG" "${record}.kubeconfig"; echo "$KUBECONFIG" > "${record}.path"
  if [ -f "${tmp}/FAIL" ]; then echo "Error: UPGRADE FAILED: release x failed, and has been rolled back due to atomic being set: context deadline exceeded (Authorization: Bearer ${TOKEN})" >&2; exit 1; fi
  echo '{"name":"payments-api","version":3}'
elif [ "$1" = "history" ]; then
  echo '[{"revision":2,"status":"deployed","description":"Rollback to 1"},{"revision":3,"status":"failed","description":"Upgrade failed: timed out waiting for the condition"}]'
else
  exec ${JSON.stringify(realHelm)} "$@"
fi
`,
      { mode: 0o755 },
    );
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const action = () =>
    createShipyardDeployAction({
      clusters: stubClusterService(['dev', 'prod'], fakeKubeConfig()),
      config: { helmPath: helm },
    });

  it.each(examples.map((e, i) => [i, e.description, e] as const))(
    'runs example %i: %s',
    async (_i, _d, example) => {
      const step = yaml.parse(example.example).steps[0];
      const ctx = createMockActionContext({ input: step.input, workspacePath });
      await action().handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith('release', 'payments-api');
      expect(ctx.output).toHaveBeenCalledWith('revision', 3);
      const args = (await fs.readFile(record, 'utf8')).trim();
      expect(args).toBe(
        `upgrade --install payments-api ${workspacePath}/chart --namespace payments --atomic --wait --timeout 3m --values ${workspacePath}/chart/values.yaml --values ${workspacePath}/chart/values-dev.yaml --output json`,
      );
      // helm got a kubeconfig for the cluster, deleted afterwards
      expect(await fs.readFile(`${record}.kubeconfig`, 'utf8')).toContain(
        'https://127.0.0.1:1',
      );
      const used = (await fs.readFile(`${record}.path`, 'utf8')).trim();
      await expect(fs.stat(used)).rejects.toThrow();
    },
  );

  it('logs the rollback reason without the token', async () => {
    await fs.writeFile(path.join(tmp, 'FAIL'), '');
    const logs: string[] = [];
    const ctx = createMockActionContext({
      input: PAYMENTS,
      workspacePath,
    });
    for (const level of ['info', 'error', 'warn'] as const) {
      jest
        .spyOn(ctx.logger, level)
        .mockImplementation(((m: string) => logs.push(m)) as any);
    }
    const err = await action()
      .handler(ctx as any)
      .catch(e => e);
    expect(err.message).toMatch(/rolled back.*context deadline exceeded/);
    expect(err.message).not.toContain(TOKEN);
    expect(logs.join('\n')).toContain(
      'revision 3 failed: Upgrade failed: timed out waiting for the condition',
    );
    expect(logs.join('\n')).not.toContain(TOKEN);
    expect(redactCredentials(`x ${TOKEN} y`, fakeKubeConfig())).toBe(
      'x [redacted] y',
    );
  });

  it.each([
    [
      { chartPath: '../x', releaseName: 'a', namespace: 'n', cluster: 'dev' },
      /Invalid chartPath/,
    ],
    [
      {
        chartPath: 'Dockerfile',
        releaseName: 'a',
        namespace: 'n',
        cluster: 'dev',
      },
      /Invalid chartPath "Dockerfile": no Chart.yaml/,
    ],
    [
      {
        chartPath: 'chart',
        releaseName: 'A_B',
        namespace: 'n',
        cluster: 'dev',
      },
      /Invalid releaseName/,
    ],
    [
      { chartPath: 'chart', releaseName: 'a', namespace: 'N', cluster: 'dev' },
      /Invalid namespace/,
    ],
    [
      { chartPath: 'chart', releaseName: 'a', namespace: 'n', cluster: 'nope' },
      /Invalid cluster: unknown cluster "nope"/,
    ],
    [
      {
        chartPath: 'chart',
        releaseName: 'a',
        namespace: 'n',
        cluster: 'dev',
        timeout: '5 minutes',
      },
      /Invalid timeout/,
    ],
    [
      {
        chartPath: 'chart',
        releaseName: 'a',
        namespace: 'n',
        cluster: 'dev',
        valuesFiles: ['chart/values.yaml', '/etc/passwd'],
      },
      /Invalid valuesFiles\[1\]/,
    ],
    [
      {
        chartPath: 'chart',
        releaseName: 'a',
        namespace: 'n',
        cluster: 'dev',
        valuesFiles: ['chart/missing.yaml'],
      },
      /Invalid valuesFiles\[0\]/,
    ],
    [
      {
        chartPath: 'chart',
        releaseName: 'a',
        namespace: 'n',
        cluster: 'dev',
        team: 'team payments',
      },
      /Invalid team "team payments"/,
    ],
  ])('rejects %j', async (input, message) => {
    const ctx = createMockActionContext({ input, workspacePath });
    await expect(action().handler(ctx as any)).rejects.toThrow(message);
    await expect(fs.stat(record)).rejects.toThrow();
  });

  it.each([
    [
      'of another team',
      { metadata: { labels: { 'shipyard.dev/team': 'team-platform' } } },
      /Invalid namespace "payments": on cluster dev it belongs to team "team-platform", not to team "team-payments"/,
    ],
    [
      'without a team',
      { metadata: { labels: {} } },
      /belongs to no team \(a platform admin can hand it over with the label shipyard.dev\/team=team-payments\)/,
    ],
    [
      'that does not exist',
      Object.assign(new Error('not found'), { code: 404 }),
      /Invalid namespace "payments": it does not exist on cluster dev/,
    ],
  ])(
    'refuses a namespace %s before helm runs',
    async (_what, answer, message) => {
      if (answer instanceof Error) readNamespace.mockRejectedValue(answer);
      else readNamespace.mockResolvedValue(answer);
      const ctx = createMockActionContext({
        input: { ...PAYMENTS, team: 'team-payments' },
        workspacePath,
      });
      await expect(action().handler(ctx as any)).rejects.toThrow(message);
      await expect(fs.stat(record)).rejects.toThrow();
    },
  );

  it('refuses a chart that writes outside the target namespace, before installing', async () => {
    await fs.writeFile(
      path.join(workspacePath, 'chart/templates/outside.yaml'),
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: sneaky, namespace: kube-system }',
        '---',
        'apiVersion: v1',
        'kind: Namespace',
        'metadata: { name: extra }',
      ].join('\n'),
    );
    for (const isDryRun of [false, true]) {
      const ctx = {
        ...createMockActionContext({
          input: PAYMENTS,
          workspacePath,
        }),
        isDryRun,
      };
      await expect(action().handler(ctx as any)).rejects.toThrow(
        'Invalid chartPath "chart": the chart writes outside namespace payments: Namespace/extra, ConfigMap/sneaky in kube-system',
      );
    }
    await expect(fs.stat(record)).rejects.toThrow();
  });

  it('does not run helm upgrade again when the checkpoint has a result', async () => {
    const ctx = createMockActionContext({
      input: PAYMENTS,
      workspacePath,
    });
    (ctx as any).checkpoint = jest.fn(async () => 7);
    await action().handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('revision', 7);
    await expect(fs.stat(record)).rejects.toThrow();
  });
});

describe('shipyard:deploy dry run (real helm)', () => {
  it('renders only', async () => {
    const ctx = {
      ...createMockActionContext({
        input: {
          chartPath: 'chart',
          releaseName: 'web',
          namespace: 'payments',
          cluster: 'dev',
          valuesFiles: ['chart/values-prod.yaml'],
        },
        workspacePath: GOOD,
      }),
      isDryRun: true,
    };
    const getKubeConfig = jest.fn();
    const action = createShipyardDeployAction({
      clusters: { ...stubClusterService(['dev']), getKubeConfig },
    });
    const info = jest.spyOn(ctx.logger, 'info');
    await action.handler(ctx as any);
    expect(getKubeConfig).not.toHaveBeenCalled();
    expect(ctx.output).toHaveBeenCalledWith('revision', 0);
    expect(info).toHaveBeenCalledWith(
      expect.stringContaining('Deployment/web-good-service'),
    );
    expect(info).toHaveBeenCalledWith(
      expect.stringContaining('HorizontalPodAutoscaler/web-good-service'),
    );
  });
});

describeIntegration('shipyard:deploy (local cluster)', () => {
  jest.setTimeout(600_000);
  const local = localTeamNamespace('shipyard-deploy');
  const ns = local.namespace;
  beforeAll(async () => {
    await fs.writeFile(
      path.join(local.workspacePath, 'values-unready.yaml'),
      'podLabels:\n  shipyard.dev/simulate: unready\n',
    );
  });
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

  it('installs, upgrades, and rolls back a failing upgrade', async () => {
    const { service, workspacePath } = local;
    const action = createShipyardDeployAction({ clusters: service });
    const input = {
      chartPath: './chart',
      releaseName: 'good',
      namespace: ns,
      cluster: 'dev',
      team: 'team-it',
      valuesFiles: ['./chart/values.yaml', './chart/values-dev.yaml'],
      timeout: '2m',
    };
    // another team's service may not be deployed into this namespace
    await expect(
      action.handler(
        createMockActionContext({
          input: { ...input, team: 'team-other' },
          workspacePath,
        }) as any,
      ),
    ).rejects.toThrow(`it belongs to team "team-it", not to team "team-other"`);

    const ctx1 = createMockActionContext({ input, workspacePath });
    await action.handler(ctx1 as any);
    expect(ctx1.output).toHaveBeenCalledWith('revision', 1);
    const dep = goodDeployment();
    expect(dep.status.readyReplicas).toBe(1);

    const ctx2 = createMockActionContext({ input, workspacePath });
    await action.handler(ctx2 as any);
    expect(ctx2.output).toHaveBeenCalledWith('revision', 2);

    const ctx3 = createMockActionContext({
      input: {
        ...input,
        valuesFiles: [...input.valuesFiles, 'values-unready.yaml'],
        timeout: '20s',
      },
      workspacePath,
    });
    await expect(action.handler(ctx3 as any)).rejects.toThrow(/rolled back/);
    const history = JSON.parse(
      kubectl(
        'dev',
        'get',
        'secret',
        '-n',
        ns,
        '-l',
        'owner=helm,name=good',
        '-o',
        'json',
      ),
    ).items;
    expect(history.length).toBeGreaterThanOrEqual(4); // 1, 2, failed 3, rollback 4
    const dep2 = goodDeployment();
    expect(
      dep2.spec.template.metadata.labels['shipyard.dev/simulate'],
    ).toBeUndefined();
  });
});
