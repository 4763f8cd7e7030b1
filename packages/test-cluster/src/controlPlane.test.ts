import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeIntegration } from '@shipyard-platform/deployment-health-test-utils';
import { startTestCluster, TestCluster } from './index';

// The control plane's own promises, as users of the demo and the integration
// tests rely on them: real controllers turn a Deployment into ready pods, and
// the real helm installs a chart.
describeIntegration('local control plane', () => {
  let cluster: TestCluster;
  const namespace = `cp-test-${process.pid}`;

  beforeAll(async () => {
    cluster = await startTestCluster('dev');
    await cluster.kubectl('create', 'namespace', namespace);
  }, 360_000);

  afterAll(async () => {
    await cluster?.kubectl('delete', 'namespace', namespace, '--wait=false');
  });

  it('rolls a 3-replica Deployment out to 3 ready pods on kwok nodes', async () => {
    const started = Date.now();
    await cluster.apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
        },
      },
    });
    await cluster.kubectl(
      'rollout',
      'status',
      `deployment/web`,
      '-n',
      namespace,
      '--timeout=90s',
    );
    const deployment = JSON.parse(
      await cluster.kubectl(
        'get',
        'deployment',
        'web',
        '-n',
        namespace,
        '-o',
        'json',
      ),
    );
    expect(deployment.status.readyReplicas).toBe(3);
    const pods = JSON.parse(
      await cluster.kubectl('get', 'pods', '-n', namespace, '-o', 'json'),
    );
    expect(pods.items.map((p: any) => p.status.phase)).toEqual([
      'Running',
      'Running',
      'Running',
    ]);
    // Reported, not asserted: the target is 30 s.
    process.stdout.write(
      `3 of 3 pods ready after ${Date.now() - started} ms\n`,
    );
  }, 120_000);

  it('installs a chart with the real helm', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cp-helm-'));
    await cluster.helm('create', path.join(dir, 'hello'));
    await cluster.helm(
      'install',
      'hello',
      path.join(dir, 'hello'),
      '-n',
      namespace,
      '--wait',
      '--timeout',
      '90s',
    );
    const releases = JSON.parse(
      await cluster.helm('list', '-n', namespace, '-o', 'json'),
    );
    expect(releases).toEqual([
      expect.objectContaining({ name: 'hello', status: 'deployed' }),
    ]);
  }, 120_000);
});
