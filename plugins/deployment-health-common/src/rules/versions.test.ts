import { deploymentHealthFixtures } from '@shipyard-platform/deployment-health-test-utils';
import { clusterHealth } from './cluster';
import { rolloutHealth } from './rollout';
import {
  parseHelmChart,
  parseImageRef,
  runningDigest,
  workloadVersion,
} from './versions';

// Real object dumps from the local clusters (see the test-utils package's capture.sh):
// orders-api at 0.14.0 (chart orders-api-1.4.0), then rolled to 0.14.1 with
// pods that cannot pull (caught within and after its 30 s progress deadline);
// ledger-db, a StatefulSet with partition 2 updated from 16.3 to 16.4; and
// plain-worker, without any version label, its app pinned by digest and an
// untagged busybox sidecar.
function versionOf(fixture: string, cluster = 'dev') {
  const f = deploymentHealthFixtures[fixture];
  const h = clusterHealth(
    { name: cluster, environment: cluster },
    f,
    {},
    { now: new Date(f.capturedAt) },
  );
  return h.workloads[0].version!;
}

const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;

describe('workload versions on real objects', () => {
  it('a Helm-labelled Deployment: tags, running digests, chart, release, revision, since', () => {
    const v = versionOf('dev-orders-api-healthy');
    expect(v).toEqual({
      version: '0.14.0',
      source: 'image',
      containers: [
        {
          name: 'orders-api',
          image: 'ghcr.io/shipyard-examples/orders-api:0.14.0',
          tag: '0.14.0',
          digest: ZERO_DIGEST,
        },
        {
          name: 'envoy',
          image: 'docker.io/envoyproxy/envoy:v1.31.2',
          tag: 'v1.31.2',
          digest: ZERO_DIGEST,
        },
      ],
      chart: { name: 'orders-api', version: '1.4.0' },
      appVersion: '0.14.0',
      helmRelease: 'orders',
      revision: '1',
      since: '2026-12-07T21:48:38.000Z',
      replicas: [{ version: '0.14.0', pods: 3, ready: 3 }],
      mixed: false,
    });
  });

  it('a rollout within its deadline: from the old ReplicaSet to the template', () => {
    const v = versionOf('dev-orders-api-rollout-progressing');
    expect(v).toMatchObject({
      version: '0.14.1',
      chart: { name: 'orders-api', version: '1.4.1' },
      revision: '2',
      rollout: {
        from: '0.14.0',
        to: '0.14.1',
        state: 'progressing',
        startedAt: '2026-12-07T21:49:04.000Z',
      },
      mixed: false,
    });
    expect(v.replicas).toEqual([
      { version: '0.14.0', pods: 3, ready: 3 },
      { version: '0.14.1', pods: 1, ready: 0 },
    ]);
    // the new pod never pulled its image: no running digest to report
    expect(v.containers[0]).not.toHaveProperty('digest');
  });

  it('a rollout past its progress deadline is stuck', () => {
    expect(versionOf('dev-orders-api-rollout-stuck').rollout).toEqual({
      from: '0.14.0',
      to: '0.14.1',
      state: 'stuck',
      startedAt: '2026-12-07T21:49:04.000Z',
    });
  });

  it('a StatefulSet held at a partition runs mixed versions, not a rollout', () => {
    const v = versionOf('dev-ledger-db-mixed');
    expect(v).toMatchObject({
      version: '16.4',
      appVersion: '16.4',
      mixed: true,
      replicas: [
        { version: '16.3', pods: 2, ready: 2 },
        { version: '16.4', pods: 1, ready: 1 },
      ],
    });
    expect(v.rollout).toBeUndefined();
    expect(v.chart).toBeUndefined();
  });

  it('without version labels: the image tags and digests tell, the chart is unknown', () => {
    const v = versionOf('dev-plain-worker-unlabeled');
    const pinned =
      'sha256:4f1c2a9e0b7d3e5f6a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f';
    expect(v).toEqual({
      version: 'sha256:4f1c2a9e0b7d',
      source: 'image',
      containers: [
        {
          name: 'worker',
          image: `ghcr.io/shipyard-examples/plain-worker@${pinned}`,
          // pinned: what runs, whatever the pod reports
          digest: pinned,
        },
        {
          name: 'sidecar',
          image: 'busybox',
          tag: 'latest',
          digest: ZERO_DIGEST,
        },
      ],
      revision: '1',
      since: expect.any(String),
      replicas: [{ version: 'sha256:4f1c2a9e0b7d', pods: 2, ready: 2 }],
      mixed: false,
    });
  });

  it('the seeded Helm release: chart and app version from its labels', () => {
    const v = versionOf('prod-catalog-api-healthy', 'prod');
    expect(v).toMatchObject({
      version: '2.5.4',
      chart: { name: 'shipyard-examples', version: '0.1.0' },
      appVersion: '2.5.4',
      helmRelease: 'shipyard-examples',
      mixed: false,
    });
  });
});

describe('workload versions on bare objects', () => {
  it('an empty Deployment: no version, no crash', () => {
    const w = { kind: 'Deployment' as const };
    expect(
      workloadVersion(w, { pods: [{}] }, rolloutHealth(w).rollout),
    ).toEqual({
      source: 'unknown',
      containers: [],
      replicas: [{ version: 'unknown', pods: 1, ready: 0 }],
      mixed: false,
    });
  });

  it('a `latest` image says nothing: the app version label does', () => {
    const w = {
      kind: 'DaemonSet' as const,
      metadata: {
        name: 'agent',
        labels: { 'app.kubernetes.io/version': '3.1' },
      },
      spec: {
        selector: {},
        template: { spec: { containers: [{ name: 'agent', image: 'agent' }] } },
      },
    };
    expect(
      workloadVersion(w, { pods: [] }, rolloutHealth(w).rollout),
    ).toMatchObject({ version: '3.1', source: 'label', appVersion: '3.1' });
  });
});

describe('image references', () => {
  it.each([
    ['nginx', { repository: 'nginx', tag: 'latest' }],
    ['nginx:1.27', { repository: 'nginx', tag: '1.27' }],
    [
      'registry.local:5000/team/app:2.0.0-rc.1',
      { repository: 'registry.local:5000/team/app', tag: '2.0.0-rc.1' },
    ],
    [
      'registry.local:5000/team/app',
      { repository: 'registry.local:5000/team/app', tag: 'latest' },
    ],
    [
      `app:1.0@sha256:${'a'.repeat(64)}`,
      { repository: 'app', tag: '1.0', digest: `sha256:${'a'.repeat(64)}` },
    ],
    // a digest that is not one is left out rather than reported
    ['app@notadigest', { repository: 'app' }],
    ['', { repository: '' }],
  ])('%s', (image, parts) => {
    expect(parseImageRef(image)).toEqual(parts);
  });

  it('reads the registry digest of an imageID, never a bare image id', () => {
    const d = `sha256:${'b'.repeat(64)}`;
    expect(runningDigest(`docker-pullable://ghcr.io/x/app@${d}`)).toBe(d);
    expect(runningDigest(`ghcr.io/x/app:1.0@${d}`)).toBe(d);
    expect(runningDigest(d)).toBeUndefined();
    expect(runningDigest('')).toBeUndefined();
    expect(runningDigest(undefined)).toBeUndefined();
  });
});

describe('helm.sh/chart labels', () => {
  it.each([
    ['orders-api-1.4.0', { name: 'orders-api', version: '1.4.0' }],
    ['k8s-app-2-0.3.1-rc.1', { name: 'k8s-app-2', version: '0.3.1-rc.1' }],
    ['redis-v7.2', { name: 'redis', version: 'v7.2' }],
    ['no-version', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s', (label, chart) => {
    expect(parseHelmChart(label)).toEqual(chart);
  });
});
