import { describeIntegration } from '@shipyard-platform/deployment-health-test-utils';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot, startTestCluster } from './index';

describeIntegration('startTestCluster', () => {
  it('starts or reuses the dev cluster and gives working admin and reader credentials', async () => {
    const cluster = await startTestCluster('dev');
    expect(cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const nodes = JSON.parse(
      await cluster.kubectl('get', 'nodes', '-o', 'json'),
    );
    expect(nodes.items.length).toBeGreaterThan(0);

    // The reader token may list pods but never read Secrets.
    const canListPods = await cluster.kubectl(
      'auth',
      'can-i',
      'list',
      'pods',
      '--all-namespaces',
      `--as=system:serviceaccount:shipyard-system:shipyard-health-reader`,
    );
    expect(canListPods.trim()).toBe('yes');
    await expect(
      cluster.kubectl(
        'auth',
        'can-i',
        'get',
        'secrets',
        '--all-namespaces',
        `--as=system:serviceaccount:shipyard-system:shipyard-health-reader`,
      ),
    ).rejects.toMatchObject({ stdout: expect.stringContaining('no') });
  }, 360_000);

  it('prints the portal config with the files env --json names', async () => {
    const cluster = await startTestCluster('dev');
    const config = execFileSync(
      path.join(repoRoot, 'scripts', 'cluster'),
      ['config', 'dev'],
      { encoding: 'utf8' },
    );
    for (const line of [
      `url: ${JSON.stringify(cluster.server)}`,
      `environment: ${JSON.stringify(cluster.environment)}`,
      `serviceAccountToken: { $file: ${JSON.stringify(cluster.tokenFile)} }`,
      `deployerServiceAccountTokenFile: ${JSON.stringify(
        cluster.deployerTokenFile,
      )}`,
      `caFile: ${JSON.stringify(cluster.caFile)}`,
    ]) {
      expect(config).toContain(line);
    }
  }, 360_000);
});
