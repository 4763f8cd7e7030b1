import {
  DeploymentState,
  HealthReason,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { Announcement, Incident, nextIncident } from './incident';

const key = {
  entityRef: 'component:default/orders',
  environment: 'production',
};
const crash: HealthReason = {
  status: 'Failed',
  code: 'CrashLoopBackOff',
  scope: 'pod',
  message: 'Container app of pod orders-1 is waiting: CrashLoopBackOff',
};
const options = {
  afterMs: 60_000,
  statuses: ['Failed', 'Degraded'] as Array<'Failed' | 'Degraded'>,
};

/** Looks at these times (seconds) with these states; the announcements made. */
function run(
  looks: Array<[number, DeploymentState]>,
  opts = options,
): { announced: Array<[number, Announcement]>; last?: Incident } {
  let incident: Incident | undefined;
  const announced: Array<[number, Announcement]> = [];
  for (const [t, state] of looks) {
    const reasons = state === 'Failed' || state === 'Degraded' ? [crash] : [];
    const next = nextIncident(
      incident,
      key,
      { state, reasons },
      t * 1000,
      opts,
    );
    incident = next.incident;
    if (next.announce) announced.push([t, next.announce]);
  }
  return { announced, last: incident };
}

describe('nextIncident', () => {
  it('announces a service that stays Failed, once, and its recovery once', () => {
    const { announced, last } = run([
      [0, 'Healthy'],
      [30, 'Failed'],
      [60, 'Failed'],
      [90, 'Failed'], // unwell for 60 s: announced
      [120, 'Failed'],
      [150, 'Healthy'],
      [180, 'Healthy'],
      [210, 'Healthy'], // well for 60 s: recovered
      [240, 'Healthy'],
    ]);
    expect(announced).toEqual([
      [90, 'opened'],
      [210, 'recovered'],
    ]);
    expect(last).toBeUndefined();
  });

  it('announces nothing while a service flaps faster than the window', () => {
    const flapping: Array<[number, DeploymentState]> = [];
    for (let t = 0; t < 600; t += 30)
      flapping.push([t, t % 60 === 0 ? 'Failed' : 'Healthy']);
    expect(run(flapping).announced).toEqual([]);
  });

  it('keeps a flapping open incident one incident, and recovers it only once well for the window', () => {
    const { announced } = run([
      [0, 'Failed'],
      [60, 'Failed'], // opened
      [90, 'Healthy'],
      [120, 'Failed'], // back before the window: same incident
      [150, 'Healthy'],
      [180, 'Progressing'],
      [210, 'Healthy'], // well since 150: recovered
    ]);
    expect(announced).toEqual([
      [60, 'opened'],
      [210, 'recovered'],
    ]);
  });

  it('announces the worst status seen while pending', () => {
    const { last } = run([
      [0, 'Degraded'],
      [30, 'Failed'],
      [60, 'Degraded'],
    ]);
    expect(last).toMatchObject({ state: 'open', status: 'Failed', since: 0 });
  });

  it('leaves the incident as it is while the service is Unknown (say, its cluster unreachable)', () => {
    const { announced, last } = run([
      [0, 'Failed'],
      [30, 'Unknown'],
      [60, 'Unknown'],
      [90, 'Failed'],
    ]);
    expect(announced).toEqual([[90, 'opened']]);
    expect(last?.since).toBe(0);
  });

  it('counts only the configured statuses', () => {
    const failedOnly = { ...options, statuses: ['Failed'] as Array<'Failed'> };
    expect(
      run(
        [
          [0, 'Degraded'],
          [60, 'Degraded'],
          [120, 'Degraded'],
        ],
        failedOnly,
      ).announced,
    ).toEqual([]);
  });

  it('ends the incident of a service taken out of the environment without a word', () => {
    const { announced, last } = run([
      [0, 'Failed'],
      [60, 'Failed'],
      [90, 'NotDeployed'],
      [300, 'NotDeployed'],
    ]);
    expect(announced).toEqual([[60, 'opened']]);
    expect(last).toBeUndefined();
  });
});
