import type { V1ReplicaSet } from '@kubernetes/client-node';
import { deploymentHealthFixtures } from '@shipyard-platform/deployment-health-test-utils';
import type { TimelineEntry } from '../timelineTypes';
import { deploymentRollouts } from './timeline';
import { precedingRollout } from './timelineLinks';

// The stuck rollout of the captured orders-api (0.14.0 → 0.14.1, its new
// ReplicaSet created 21:49:04) as the backend records it, and transitions
// around it.
const f = deploymentHealthFixtures['dev-orders-api-rollout-stuck'];
const [rollout] = deploymentRollouts(
  f.deployments![0],
  f.replicaSets as V1ReplicaSet[],
);
const base = { cluster: 'dev', namespace: 'fixtures-17' };
const rolloutEntry: TimelineEntry = {
  ...base,
  id: '1',
  at: rollout.startedAt!,
  type: 'rollout',
  rollout,
};
const transition = (
  id: string,
  at: string,
  to: 'Failed' | 'Degraded' | 'Healthy',
  extra: Partial<typeof base> = {},
): TimelineEntry => ({
  ...base,
  ...extra,
  id,
  at,
  type: 'transition',
  transition: { from: 'Healthy', to, reasons: [] },
});

describe('precedingRollout', () => {
  it('links a failure to the rollout that started shortly before it', () => {
    const failed = transition('2', '2026-12-07T21:49:44.000Z', 'Failed');
    expect(precedingRollout([failed, rolloutEntry], failed)).toEqual({
      rollout: expect.objectContaining({ from: '0.14.0', to: '0.14.1' }),
      entryId: '1',
      seconds: 40,
    });
  });

  it('does not link a recovery, another cluster, an earlier failure or one long after', () => {
    const entries = [rolloutEntry];
    for (const t of [
      transition('2', '2026-12-07T21:49:44.000Z', 'Healthy'),
      transition('3', '2026-12-07T21:49:44.000Z', 'Failed', {
        cluster: 'prod',
      }),
      transition('4', '2026-12-07T21:49:00.000Z', 'Degraded'),
      transition('5', '2026-12-07T22:49:44.000Z', 'Degraded'),
    ])
      expect(precedingRollout(entries, t)).toBeUndefined();
  });
});
