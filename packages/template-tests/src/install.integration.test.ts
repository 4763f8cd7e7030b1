/* eslint-disable jest/no-conditional-expect -- the matrix asserts what each parameter set implies */
/*
 * Installs generated charts into the local control plane (`scripts/cluster up dev`):
 * server-side dry-run of every environment's objects, then
 * `helm upgrade --install --atomic --wait` into a namespace that enforces Pod Security
 * "restricted"; the Deployment must become Available and the HPA must exist.
 *
 *   SHIPYARD_INTEGRATION=1 yarn workspace @shipyard-platform/template-tests test install
 *
 * Uses the cluster named by SHIPYARD_TEST_CLUSTER (default dev); starts it with
 * `scripts/cluster up` when it is not running.
 */
import { describeIntegration } from '@shipyard-platform/deployment-health-test-utils';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { helm, requireHelm } from './lib/helm';
import { CASES, TEMPLATES } from './lib/matrix';
import { REPO_ROOT, Scaffolder, writeFiles } from './lib/scaffolder';

const exec = promisify(execFile);
const CLUSTER = process.env.SHIPYARD_TEST_CLUSTER ?? 'dev';
const CLUSTER_SCRIPT = path.join(REPO_ROOT, 'scripts/cluster');

jest.setTimeout(900_000);

async function cluster(args: string[], input?: string) {
  const child = exec(CLUSTER_SCRIPT, args, { maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  try {
    return (await child).stdout;
  } catch (e: any) {
    throw new Error(
      `scripts/cluster ${args.join(' ')} failed:\n${e.stdout ?? ''}${
        e.stderr ?? e.message
      }`,
    );
  }
}
const kubectl = (args: string[], input?: string) =>
  cluster(['kubectl', CLUSTER, ...args], input);

describeIntegration(`install into the local control plane (${CLUSTER})`, () => {
  let scaffolder: Scaffolder;
  let kubeconfig = '';
  const namespaces: string[] = [];

  beforeAll(async () => {
    await requireHelm();
    const status = await cluster(['status', CLUSTER]).catch(() => '');
    if (!/running/.test(status)) await cluster(['up', CLUSTER]);
    kubeconfig = JSON.parse(
      await cluster(['env', CLUSTER, '--json']),
    ).kubeconfig;
    scaffolder = await Scaffolder.start();
  });
  afterAll(async () => {
    await scaffolder?.dispose();
    for (const ns of namespaces)
      await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(
        () => undefined,
      );
  });

  const cases = TEMPLATES.flatMap(t =>
    [CASES[0], CASES[3]].map(c => [t, c.id, c] as const),
  );

  it.each(cases)(
    '%s (%s): Available with an HPA, in a restricted namespace',
    async (template, _id, c) => {
      const values = {
        ...c.values(template),
        environments: ['dev', 'staging', 'prod'],
      };
      const result = await scaffolder.dryRun(template, values);
      expect(result.status).toBe(200);
      const dir = writeFiles(result.files);
      const chart = path.join(dir, 'chart');
      const ns = `tt-${values.name}`.slice(0, 63).replace(/-+$/, '');
      namespaces.push(ns);
      await kubectl([
        'delete',
        'namespace',
        ns,
        '--ignore-not-found',
        '--wait=true',
        '--timeout=60s',
      ]).catch(() => undefined);
      await kubectl(['create', 'namespace', ns]);
      await kubectl([
        'label',
        'namespace',
        ns,
        'pod-security.kubernetes.io/enforce=restricted',
        'pod-security.kubernetes.io/enforce-version=latest',
      ]);
      if (values.postgres || values.redis) {
        await kubectl([
          'create',
          'secret',
          'generic',
          `${values.name}-connections`,
          '-n',
          ns,
          '--from-literal=DATABASE_URL=postgresql://u:p@postgres:5432/db',
          '--from-literal=REDIS_URL=redis://redis:6379/0',
        ]);
      }

      // every environment's objects are accepted by the API server (strict field validation, admission)
      for (const env of values.environments) {
        const { stdout } = await helm([
          'template',
          values.name,
          chart,
          '-n',
          ns,
          '-f',
          path.join(chart, `values-${env}.yaml`),
          '--set',
          'image.tag=0.1.0',
        ]);
        const out = await kubectl(
          [
            'apply',
            '--dry-run=server',
            '--validate=strict',
            '-n',
            ns,
            '-f',
            '-',
          ],
          stdout,
        );
        expect(out).toMatch(/deployment\.apps\/.* created \(server dry run\)/);
      }

      await helm(
        [
          'upgrade',
          '--install',
          values.name,
          chart,
          '-n',
          ns,
          '-f',
          path.join(chart, 'values-dev.yaml'),
          '--set',
          'image.tag=0.1.0',
          '--atomic',
          '--wait',
          '--timeout',
          '5m',
        ],
        { env: { KUBECONFIG: kubeconfig } },
      );
      const deployment = JSON.parse(
        await kubectl([
          'get',
          'deployment',
          values.name,
          '-n',
          ns,
          '-o',
          'json',
        ]),
      );
      const available = deployment.status.conditions.find(
        (x: any) => x.type === 'Available',
      );
      expect(available?.status).toBe('True');
      expect(deployment.metadata.labels['backstage.io/kubernetes-id']).toBe(
        values.name,
      );
      const hpa = JSON.parse(
        await kubectl(['get', 'hpa', values.name, '-n', ns, '-o', 'json']),
      );
      expect(hpa.spec.minReplicas).toBe(1);
      const pods = JSON.parse(
        await kubectl([
          'get',
          'pods',
          '-n',
          ns,
          '-l',
          `backstage.io/kubernetes-id=${values.name}`,
          '-o',
          'json',
        ]),
      );
      expect(pods.items.length).toBeGreaterThanOrEqual(1);
      await helm(['uninstall', values.name, '-n', ns, '--wait'], {
        env: { KUBECONFIG: kubeconfig },
      });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  );
});
