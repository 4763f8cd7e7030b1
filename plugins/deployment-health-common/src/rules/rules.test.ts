import { deploymentHealthFixtures } from '@shipyard-platform/deployment-health-test-utils';
import {
  clusterHealth,
  compareWorstFirst,
  deploymentStateOf,
  entityHealth,
  notDeployedReason,
  ServiceObjects,
} from '.';
import { podHealth } from './pods';
import { worstStatus } from './status';
import { ClusterHealth } from '../reports';

// Real object dumps from the local clusters (see the test-utils package's capture.sh).
type Fixture = ServiceObjects & { capturedAt: string };
const load = (name: string): Fixture => deploymentHealthFixtures[name];

const dev = { name: 'dev', environment: 'development' };
const prod = { name: 'prod', environment: 'production' };

function health(
  name: string,
  cluster = dev,
  opts: { minutesLater?: number } = {},
): ClusterHealth {
  const f = load(name);
  const now = new Date(
    new Date(f.capturedAt).getTime() + (opts.minutesLater ?? 0) * 60_000,
  );
  return clusterHealth(cluster, f, {}, { now });
}
const codes = (h: { reasons: { code: string; status: string }[] }) =>
  h.reasons.map(r => `${r.status}:${r.code}`);

describe('health rules on real objects', () => {
  it('healthy deployment', () => {
    const h = health('prod-catalog-api-healthy', prod);
    expect(h.status).toBe('Healthy');
    expect(h.reasons).toEqual([]);
    const w = h.workloads[0];
    expect(w.rollout).toMatchObject({
      desired: 3,
      updated: 3,
      ready: 3,
      available: 3,
      complete: true,
      observedLatestGeneration: true,
    });
    expect(w.pods.map(p => p.status)).toEqual([
      'Healthy',
      'Healthy',
      'Healthy',
    ]);
    expect(w.pods[0].containers[0]).toMatchObject({
      state: 'running',
      ready: true,
      restartCount: 0,
    });
  });

  it('HPA still without metrics after its warm-up cannot scale: Degraded', () => {
    const h = health('prod-payments-api-healthy', prod, { minutesLater: 10 });
    const w = h.workloads[0];
    expect(w.rollout).toMatchObject({
      desired: 3,
      available: 3,
      complete: true,
    });
    expect(w.hpa).toMatchObject({
      minReplicas: 3,
      maxReplicas: 6,
      currentReplicas: 3,
      atMax: false,
    });
    expect(w.pods.every(p => p.status === 'Healthy')).toBe(true);
    // The HPA's condition says it; its metrics events are listed, not counted twice.
    expect(codes(w)).toEqual(['Degraded:ScalingInactive']);
    expect(w.reasons[0]).toMatchObject({
      scope: 'workload',
      kubernetesReason: 'FailedGetResourceMetric',
      object: { kind: 'HorizontalPodAutoscaler' },
    });
    expect(w.events.map(e => e.reason).sort()).toEqual([
      'FailedComputeMetricsReplicas',
      'FailedGetResourceMetric',
    ]);
  });

  it('a new HPA waiting for its first metrics is Progressing, then Healthy once it reads them', () => {
    const f = load('prod-payments-api-healthy');
    const hpa = f.hpas![0];
    const justCreated = {
      ...hpa,
      metadata: {
        ...hpa.metadata,
        creationTimestamp: new Date(new Date(f.capturedAt).getTime() - 60_000),
      },
    };
    const now = new Date(f.capturedAt);
    const warming = clusterHealth(
      prod,
      { ...f, hpas: [justCreated as any] },
      {},
      { now },
    );
    expect(codes(warming.workloads[0])).toEqual([
      'Progressing:HpaMetricsWarmingUp',
    ]);
    expect(warming.status).toBe('Progressing');

    // Metrics arrive (ScalingActive=True): the warm-up's Warning events are history.
    const scaling = {
      ...justCreated,
      status: {
        ...hpa.status,
        conditions: (hpa.status?.conditions ?? []).map(c =>
          c.type === 'ScalingActive'
            ? { ...c, status: 'True', reason: 'ValidMetricFound' }
            : c,
        ),
      },
    };
    const ready = clusterHealth(
      prod,
      { ...f, hpas: [scaling as any] },
      {},
      { now },
    );
    expect(ready.status).toBe('Healthy');
    expect(ready.workloads[0].events.length).toBeGreaterThan(0);
  });

  it('ImagePullBackOff on the only replica of a new deployment is Failed', () => {
    const h = health('dev-catalog-api-imagepull');
    expect(h.status).toBe('Failed');
    const w = h.workloads[0];
    expect(codes(w)).toEqual(
      expect.arrayContaining([
        'Failed:NoReplicasAvailable',
        'Failed:ImagePullBackOff',
        'Degraded:WarningEvent',
      ]),
    );
    expect(w.pods[0].containers[0]).toMatchObject({
      state: 'waiting',
      reason: 'ImagePullBackOff',
      ready: false,
    });
    expect(w.images).toEqual([
      'ghcr.io/shipyard-examples/catalog-api:2.6.0-dev.3',
    ]);
  });

  it('a running container failing readiness is Degraded once past start-up grace', () => {
    const atCapture = health('dev-notifications-unready');
    expect(atCapture.workloads[0].pods[0].reasons.map(r => r.code)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ContainerNotReady|ContainerStarting/),
      ]),
    );
    const h = health('dev-notifications-unready', dev, { minutesLater: 5 });
    expect(h.workloads[0].pods[0].reasons.map(r => r.code)).toEqual([
      'ContainerNotReady',
    ]);
    // 0 available, rollout never completed and no hard pod failure: still rolling out
    expect(codes(h.workloads[0])).toEqual([
      'Progressing:RolloutInProgress',
      'Degraded:ContainerNotReady',
      'Degraded:WarningEvent',
    ]);
    expect(h.status).toBe('Degraded');
  });

  it('CrashLoopBackOff on every replica is Failed', () => {
    const h = health('prod-ledger-worker-crashloop', prod);
    expect(h.status).toBe('Failed');
    const reason = h.workloads[0].reasons.find(
      r => r.code === 'CrashLoopBackOff',
    )!;
    expect(reason.message).toMatch(/\(2 of 2 pods\)$/);
    expect(h.workloads[0].pods[0].containers[0]).toMatchObject({
      state: 'waiting',
      reason: 'CrashLoopBackOff',
      restartCount: expect.any(Number),
      lastTermination: expect.objectContaining({ reason: 'Error' }),
    });
  });

  it('OOMKilled restarts of a serving deployment are Degraded', () => {
    const h = health('prod-auth-gateway-oomkilled', prod);
    const w = h.workloads[0];
    expect(w.rollout.available).toBeGreaterThan(0);
    expect(w.reasons.map(r => r.code)).toContain('OOMKilled');
    expect(['Degraded', 'Failed']).toContain(w.status);
    const ooms = w.pods
      .flatMap(p => p.containers)
      .filter(c => c.lastTermination?.reason === 'OOMKilled');
    expect(ooms.length).toBeGreaterThan(0);
  });

  it('a stuck rolling update keeps serving from the old ReplicaSet', () => {
    const h = health('prod-checkout-api-deadline', prod);
    const w = h.workloads[0];
    expect(w.pods).toHaveLength(4); // pods of both ReplicaSets belong to the Deployment
    expect(w.rollout.updated).toBeLessThan(w.rollout.desired);
    expect(w.rollout.revision).toBe('2'); // the bad image update is rollout #2
    // a failing new pod while old ones serve: capped at Degraded, unless the deadline passed
    const deadline = w.rollout.conditions.some(
      c => c.reason === 'ProgressDeadlineExceeded',
    );
    expect(w.status).toBe(deadline ? 'Failed' : 'Degraded');
    expect(codes(w)).toContain('Degraded:ImagePullBackOff');
  });

  it('HPA pinned at max replicas is Degraded', () => {
    const f = load('prod-storefront-web-hpa-max');
    expect(f.hpas![0].spec).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
    // The local metrics pipeline may not have scaled it yet: pin the real
    // object's status at max, as the HPA controller reports it.
    const hpa = {
      ...f.hpas![0],
      status: {
        ...f.hpas![0].status,
        currentReplicas: 4,
        desiredReplicas: 4,
        conditions: [],
      },
    };
    const h = clusterHealth(
      prod,
      { ...f, hpas: [hpa as any], events: [] },
      {},
      { now: new Date(f.capturedAt) },
    );
    expect(h.workloads[0].hpa).toMatchObject({
      currentReplicas: 4,
      maxReplicas: 4,
      atMax: true,
    });
    expect(codes(h.workloads[0])).toContain('Degraded:HpaAtMaxReplicas');

    // A fixed-size HPA (min == max) sits at max by design.
    const fixed = { ...hpa, spec: { ...hpa.spec, minReplicas: 4 } };
    const f2 = clusterHealth(
      prod,
      { ...f, hpas: [fixed as any], events: [] },
      {},
      { now: new Date(f.capturedAt) },
    );
    expect(f2.workloads[0].hpa?.atMax).toBe(false);
    expect(codes(f2.workloads[0])).not.toContain('Degraded:HpaAtMaxReplicas');
  });

  it('ProgressDeadlineExceeded is Failed even while old replicas serve', () => {
    const h = health('prod-checkout-api-deadline', prod);
    expect(h.workloads[0].rollout.conditions).toContainEqual(
      expect.objectContaining({
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
      }),
    );
    expect(h.workloads[0].status).toBe('Failed');
    expect(codes(h.workloads[0])[0]).toBe('Failed:ProgressDeadlineExceeded');
  });

  it('entity health is the worst cluster; nothing deployed is Unknown', () => {
    const a = health('prod-catalog-api-healthy', dev, { minutesLater: 30 });
    const b = health('prod-ledger-worker-crashloop', prod);
    const e = entityHealth('component:default/x', [a, b]);
    expect(e.status).toBe('Failed');
    // Each finding says where it was made, in a field (messages are for people).
    expect(e.reasons.length).toBeGreaterThan(0);
    expect(e.reasons.every(r => r.cluster === 'prod')).toBe(true);
    expect(e.reasons.map(r => r.message)).toEqual(
      b.reasons.map(r => r.message),
    );
    expect(entityHealth('component:default/y', []).status).toBe('Unknown');
    expect(entityHealth('component:default/y', []).reasons[0]).toMatchObject({
      code: 'NotDeployed',
      scope: 'service',
    });
  });

  it('a service found in no cluster is NotDeployed, unless a cluster could not be read', () => {
    const running = health('prod-catalog-api-healthy', dev, {
      minutesLater: 30,
    });
    const empty = clusterHealth(prod, {}, {}, { now: new Date() });
    const since = new Date().toISOString();
    const unread = clusterHealth(
      prod,
      {},
      {
        error: { type: 'unreachable', message: 'connection refused', since },
      },
    );
    const syncing = clusterHealth(prod, {}, { syncing: true });

    expect(notDeployedReason([running, empty])).toBeUndefined();
    expect(notDeployedReason([empty])).toMatchObject({ status: 'Unknown' });
    expect(notDeployedReason([unread])?.message).toMatch(/could be read/);

    expect(deploymentStateOf([])).toBe('NotDeployed');
    expect(deploymentStateOf([empty])).toBe('NotDeployed');
    expect(deploymentStateOf([running, empty])).toBe(running.status);
    // Missing data is never "not deployed": the service may run there.
    expect(deploymentStateOf([unread])).toBe('Unknown');
    expect(deploymentStateOf([syncing])).toBe('Unknown');
  });

  it('a cluster still in its first sync is Unknown with a cluster reason', () => {
    const h = health('prod-catalog-api-healthy', dev, { minutesLater: 30 });
    const f = load('prod-catalog-api-healthy');
    const s = clusterHealth(
      dev,
      f,
      { syncing: true },
      {
        now: new Date(new Date(f.capturedAt).getTime() + 30 * 60_000),
      },
    );
    expect(h.status).toBe('Healthy');
    expect(s.status).toBe('Unknown');
    expect(s.reasons).toContainEqual(
      expect.objectContaining({
        code: 'ClusterSyncing',
        scope: 'cluster',
        cluster: dev.name,
      }),
    );
  });

  it('cluster errors make a cluster Unknown but keep the cached data', () => {
    const f = load('prod-catalog-api-healthy');
    const h = clusterHealth(
      dev,
      f,
      {
        error: {
          type: 'stale',
          message: 'no contact for 5 minutes',
          since: f.capturedAt,
        },
      },
      { now: new Date(new Date(f.capturedAt).getTime() + 3600_000) },
    );
    expect(h.status).toBe('Unknown');
    expect(h.workloads).toHaveLength(1);
    expect(codes(h)).toEqual(['Unknown:ClusterStale']);
  });
});

describe('podHealth edge cases', () => {
  const base = {
    metadata: {
      name: 'p',
      namespace: 'n',
      creationTimestamp: new Date('2026-01-01T00:00:00Z'),
    },
    spec: { containers: [{ name: 'c', image: 'i:1' }] },
  };
  const now = new Date('2026-01-01T01:00:00Z');
  it('Succeeded pods are healthy', () => {
    expect(
      podHealth({ ...base, status: { phase: 'Succeeded' } }, { now }).status,
    ).toBe('Healthy');
  });
  it('unschedulable pods are Degraded after grace', () => {
    const p = podHealth(
      {
        ...base,
        status: {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/3 nodes are available',
            },
          ],
        },
      },
      { now },
    );
    expect(p.reasons.map(r => `${r.status}:${r.code}`)).toContain(
      'Degraded:Unschedulable',
    );
  });
  it('Failed phase is Failed', () => {
    expect(
      podHealth(
        { ...base, status: { phase: 'Failed', reason: 'Evicted' } },
        { now },
      ).reasons[0],
    ).toMatchObject({
      status: 'Failed',
      code: 'PodFailed',
      scope: 'pod',
      kubernetesReason: 'Evicted',
    });
  });
});

describe('pod findings grouped', () => {
  it('keeps pods that failed for different Kubernetes reasons apart, with the reason', () => {
    const pod = (name: string, reason: string) => ({
      metadata: {
        name,
        namespace: 'n',
        uid: name,
        labels: { 'backstage.io/kubernetes-id': 'x' },
      },
      spec: { containers: [{ name: 'c', image: 'i:1' }] },
      status: { phase: 'Failed', reason },
    });
    const h = clusterHealth(dev, {
      pods: [pod('a', 'Evicted'), pod('b', 'Evicted'), pod('c', 'Shutdown')],
    });
    expect(
      h.reasons.map(r => [r.code, r.kubernetesReason, r.scope, r.message]),
    ).toEqual([
      ['PodFailed', 'Evicted', 'pod', 'Pod a failed (2 of 3 pods)'],
      ['PodFailed', 'Shutdown', 'pod', 'Pod c failed'],
    ]);
  });
});

describe('worstStatus', () => {
  it('orders by severity', () => {
    expect(worstStatus([])).toBe('Healthy');
    expect(worstStatus(['Healthy', 'Unknown'])).toBe('Unknown');
    expect(worstStatus(['Unknown', 'Progressing'])).toBe('Progressing');
    expect(worstStatus(['Degraded', 'Failed', 'Progressing'])).toBe('Failed');
  });
  it('sorts worst first, NotDeployed last', () => {
    const states = ['NotDeployed', 'Healthy', 'Failed', 'Unknown'] as const;
    expect([...states].sort(compareWorstFirst)).toEqual([
      'Failed',
      'Unknown',
      'Healthy',
      'NotDeployed',
    ]);
  });
});
