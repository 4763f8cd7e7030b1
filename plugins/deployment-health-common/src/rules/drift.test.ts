import { deploymentHealthFixtures } from '@shipyard-platform/deployment-health-test-utils';
import { clusterHealth, ServiceObjects } from './cluster';
import { compareVersions, serviceVersions } from './drift';
import { entityHealth } from './service';

// Real object dumps (see versions.test.ts): orders-api runs 0.14.0 in dev
// (its ReplicaSet created 21:48:38) and 0.13.2 in prod; the dev rollout to
// 0.14.1 got stuck; catalog-api, seeded by Helm, runs 2.6.0-dev.3 in dev
// (failing to pull) and 2.5.4 in prod.
function inCluster(
  fixture: string,
  cluster: string,
  environment: string,
  objects: ServiceObjects = deploymentHealthFixtures[fixture],
) {
  return clusterHealth(
    { name: cluster, environment },
    objects,
    {},
    { now: new Date(deploymentHealthFixtures[fixture].capturedAt) },
  );
}

describe('drift across environments on real objects', () => {
  it('prod behind dev, since dev got the newer version', () => {
    const v = serviceVersions([
      inCluster('dev-orders-api-healthy', 'dev', 'development'),
      inCluster('prod-orders-api-behind', 'prod', 'production'),
    ]);
    expect(v.drift).toEqual([
      {
        kind: 'behind',
        workload: { kind: 'Deployment', name: 'orders-api' },
        environment: 'production',
        version: '0.13.2',
        comparedTo: 'development',
        comparedToVersion: '0.14.0',
        since: '2026-12-07T21:48:38.000Z',
      },
    ]);
    expect(v.environments).toEqual([
      {
        environment: 'development',
        workloads: [
          {
            kind: 'Deployment',
            name: 'orders-api',
            version: '0.14.0',
            versions: ['0.14.0'],
            clusters: ['dev'],
            mixed: false,
            since: '2026-12-07T21:48:38.000Z',
            chart: { name: 'orders-api', version: '1.4.0' },
          },
        ],
      },
      {
        environment: 'production',
        workloads: [
          expect.objectContaining({
            version: '0.13.2',
            chart: { name: 'orders-api', version: '1.3.5' },
            mixed: false,
          }),
        ],
      },
    ]);
  });

  it('a pre-release ahead of a release (semver order)', () => {
    const { drift } = serviceVersions([
      inCluster('dev-catalog-api-imagepull', 'dev', 'development'),
      inCluster('prod-catalog-api-healthy', 'prod', 'production'),
    ]);
    expect(drift).toMatchObject([
      {
        kind: 'behind',
        environment: 'production',
        version: '2.5.4',
        comparedTo: 'development',
        comparedToVersion: '2.6.0-dev.3',
      },
    ]);
  });

  it('a stuck rollout: the environment carries it, drift is to its target', () => {
    const v = serviceVersions([
      inCluster('dev-orders-api-rollout-stuck', 'dev', 'development'),
      inCluster('prod-orders-api-behind', 'prod', 'production'),
    ]);
    const [dev] = v.environments;
    expect(dev.workloads[0]).toMatchObject({
      version: '0.14.1',
      versions: ['0.14.0', '0.14.1'],
      mixed: false,
      rollout: { from: '0.14.0', to: '0.14.1', state: 'stuck', cluster: 'dev' },
    });
    expect(v.drift).toMatchObject([
      { environment: 'production', comparedToVersion: '0.14.1' },
    ]);
  });

  it('a StatefulSet partition: mixed versions in its environment', () => {
    const v = serviceVersions([
      inCluster('dev-ledger-db-mixed', 'dev', 'development'),
    ]);
    expect(v.environments[0].workloads[0]).toMatchObject({
      kind: 'StatefulSet',
      version: '16.4',
      versions: ['16.3', '16.4'],
      mixed: true,
    });
    expect(v.drift).toEqual([]);
  });

  it('two clusters of one environment on different versions: mixed, at the lower one', () => {
    const v = serviceVersions([
      inCluster('dev-orders-api-healthy', 'prod-eu', 'production'),
      inCluster('prod-orders-api-behind', 'prod-us', 'production'),
    ]);
    expect(v.environments).toHaveLength(1);
    expect(v.environments[0].workloads[0]).toMatchObject({
      version: '0.13.2',
      versions: ['0.13.2', '0.14.0'],
      clusters: ['prod-eu', 'prod-us'],
      mixed: true,
    });
    // the chart differs between the clusters: none is "the" chart
    expect(v.environments[0].workloads[0].chart).toBeUndefined();
  });

  it('digests only: different, compared with the environment that changed last', () => {
    const real = deploymentHealthFixtures['dev-plain-worker-unlabeled'];
    // the same objects with the app pinned to another build, rolled out an hour later
    const other = JSON.parse(
      JSON.stringify(real).replace(
        /sha256:4f1c2a9e0b7d/g,
        'sha256:9a8b7c6d5e4f',
      ),
    );
    other.replicaSets[0].metadata.creationTimestamp = '2026-12-07T23:00:00Z';
    const { drift } = serviceVersions([
      inCluster('dev-plain-worker-unlabeled', 'dev', 'development', other),
      inCluster('dev-plain-worker-unlabeled', 'prod', 'production'),
    ]);
    expect(drift).toEqual([
      {
        kind: 'different',
        workload: { kind: 'Deployment', name: 'plain-worker' },
        environment: 'production',
        version: 'sha256:4f1c2a9e0b7d',
        comparedTo: 'development',
        comparedToVersion: 'sha256:9a8b7c6d5e4f',
        since: '2026-12-07T23:00:00.000Z',
      },
    ]);
  });

  it('no drift when the environments agree, none for unreadable clusters', () => {
    const healthy = inCluster('dev-orders-api-healthy', 'dev', 'development');
    const unreadable = clusterHealth(
      { name: 'prod', environment: 'production' },
      {},
      {
        error: {
          type: 'unreachable',
          message: 'down',
          since: healthy.lastSyncedAt ?? '',
        },
      },
    );
    expect(serviceVersions([healthy, unreadable]).drift).toEqual([]);
    expect(serviceVersions([]).drift).toEqual([]);
  });

  it('the entity report carries the versions', () => {
    const e = entityHealth('component:default/orders-api', [
      inCluster('dev-orders-api-healthy', 'dev', 'development'),
      inCluster('prod-orders-api-behind', 'prod', 'production'),
    ]);
    expect(e.versions?.drift).toHaveLength(1);
    expect(e.clusters[0].workloads[0].version?.version).toBe('0.14.0');
  });
});

describe('compareVersions', () => {
  it.each([
    ['1.2.3', '1.2.3', 0],
    ['0.13.2', '0.14.0', -1],
    ['v1.10.0', '1.9.9', 1],
    ['2.6.0-dev.3', '2.6.0', -1],
    ['16.3', '16.4', -1],
    ['16', '15.9', 1],
    ['latest', '1.0.0', 'different'],
    ['sha256:4f1c2a9e0b7d', 'sha256:9a8b7c6d5e4f', 'different'],
    ['abc1234', 'abc1234', 0],
  ])('%s vs %s', (a, b, result) => {
    const c = compareVersions(a, b);
    expect(typeof c === 'number' ? Math.sign(c) : c).toBe(result);
  });
});
