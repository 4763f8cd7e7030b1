import type { V1ReplicaSet } from '@kubernetes/client-node';
import { deploymentHealthFixtures } from '@shipyard-platform/deployment-health-test-utils';
import { deploymentRollouts, hpaScale } from './timeline';

// Real object dumps from the local clusters: orders-api at 0.14.0, then
// rolled to 0.14.1 whose pods cannot pull (caught progressing, and stuck
// after its 30 s progress deadline).
const fixture = (name: string) => {
  const f = deploymentHealthFixtures[name];
  return {
    deployment: f.deployments![0],
    replicaSets: f.replicaSets as V1ReplicaSet[],
  };
};
const UID = '06e7c93c-596b-441f-8ad2-fa1ceed4f78e';
const IMAGE = 'ghcr.io/shipyard-examples/orders-api';
const ENVOY = 'docker.io/envoyproxy/envoy:v1.31.2';

describe('deploymentRollouts on real objects', () => {
  it('a Deployment at its first revision has no rollout', () => {
    const { deployment, replicaSets } = fixture('dev-orders-api-healthy');
    expect(deploymentRollouts(deployment, replicaSets)).toEqual([]);
  });

  it('a rollout in progress: 0.14.0 → 0.14.1 from the new ReplicaSet’s creation', () => {
    const { deployment, replicaSets } = fixture(
      'dev-orders-api-rollout-progressing',
    );
    expect(deploymentRollouts(deployment, replicaSets)).toEqual([
      {
        workload: { kind: 'Deployment', name: 'orders-api', uid: UID },
        revision: 2,
        from: '0.14.0',
        to: '0.14.1',
        // every image of each template: revision 1 had an envoy sidecar,
        // the 0.14.1 template has none
        fromImages: [`${IMAGE}:0.14.0`, ENVOY],
        toImages: [`${IMAGE}:0.14.1`],
        startedAt: '2026-12-07T21:49:04.000Z',
        result: 'progressing',
      },
    ]);
  });

  it('a rollout past its progress deadline is stuck, ended when the controller gave up', () => {
    const { deployment, replicaSets } = fixture('dev-orders-api-rollout-stuck');
    expect(deploymentRollouts(deployment, replicaSets)).toEqual([
      expect.objectContaining({
        revision: 2,
        from: '0.14.0',
        to: '0.14.1',
        result: 'stuck',
        endedAt: '2026-12-07T21:49:35.000Z',
      }),
    ]);
  });

  it('a rollback (the old ReplicaSet reused as revision 3) marks revision 2 rolled back', () => {
    // What `kubectl rollout undo` makes of the stuck objects: the controller
    // gives revision 1's ReplicaSet the next revision and records 1 in its
    // revision-history; the Deployment is at revision 3 and complete.
    const { deployment, replicaSets } = fixture('dev-orders-api-rollout-stuck');
    const undone = replicaSets.map(rs =>
      rs.metadata!.annotations!['deployment.kubernetes.io/revision'] === '1'
        ? {
            ...rs,
            metadata: {
              ...rs.metadata,
              annotations: {
                ...rs.metadata!.annotations,
                'deployment.kubernetes.io/revision': '3',
                'deployment.kubernetes.io/revision-history': '1',
              },
            },
          }
        : rs,
    );
    const old = replicaSets.find(
      rs =>
        rs.metadata!.annotations!['deployment.kubernetes.io/revision'] === '1',
    )!;
    const atThree = {
      ...deployment,
      metadata: {
        ...deployment.metadata,
        annotations: {
          ...deployment.metadata!.annotations,
          'deployment.kubernetes.io/revision': '3',
        },
      },
      spec: { ...deployment.spec!, template: old.spec!.template! },
      status: {
        ...deployment.status,
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
        unavailableReplicas: undefined,
        conditions: [
          {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetAvailable',
            lastTransitionTime: '2026-12-07T21:50:10Z' as any,
          },
        ],
      },
    };
    const rollouts = deploymentRollouts(atThree, undone);
    expect(rollouts.map(r => [r.revision, r.from, r.to, r.result])).toEqual([
      [2, '0.14.0', '0.14.1', 'rolled back'],
      [3, '0.14.1', '0.14.0', 'complete'],
    ]);
    // the reused ReplicaSet was made for revision 1: no start for revision 3
    expect(rollouts[1].startedAt).toBeUndefined();
    expect(rollouts[1].endedAt).toBe('2026-12-07T21:50:10.000Z');
  });

  it('ignores ReplicaSets of another Deployment', () => {
    const { deployment, replicaSets } = fixture('dev-orders-api-rollout-stuck');
    const other = {
      ...deployment,
      metadata: { ...deployment.metadata, uid: 'x' },
    };
    expect(deploymentRollouts(other, replicaSets)).toEqual([]);
  });
});

describe('hpaScale on real objects', () => {
  it('the captured storefront-web autoscaler: its last rescale to 2 of 2–4', () => {
    const f = deploymentHealthFixtures['prod-storefront-web-hpa-max'];
    expect(hpaScale(f.hpas![0] as any)).toEqual({
      at: '2026-11-27T09:45:46.000Z',
      change: {
        hpa: {
          name: expect.any(String),
          uid: 'c9458f8a-eea5-4b04-9b73-6a2ede92ee25',
        },
        target: { kind: 'Deployment', name: 'storefront-web' },
        to: 2,
        minReplicas: 2,
        maxReplicas: 4,
      },
    });
  });

  it('an autoscaler that has not scaled yet has none', () => {
    const f = deploymentHealthFixtures['prod-storefront-web-hpa-max'];
    const hpa = f.hpas![0] as any;
    expect(
      hpaScale({ ...hpa, status: { ...hpa.status, lastScaleTime: undefined } }),
    ).toBeUndefined();
  });
});
