import {
  DeploymentState,
  HealthReason,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';

/**
 * What is remembered of one service in one environment between two looks,
 * while it is (or was just) unwell. No row: nothing to say.
 */
export interface Incident {
  entityRef: string;
  environment: string;
  /** pending: unwell, not announced yet; open: announced, not recovered. */
  state: 'pending' | 'open';
  /** The status announced (or to announce): the worst seen while unwell. */
  status: 'Failed' | 'Degraded';
  /** Since when it is unwell (epoch ms). */
  since: number;
  /** Since when an open incident looks well again (epoch ms). */
  wellSince?: number;
  /** The findings that made it unwell, for the announcement. */
  reasons: HealthReason[];
}

/** One look at a service in an environment. */
export interface Look {
  state: DeploymentState;
  reasons: HealthReason[];
}

export type Announcement = 'opened' | 'recovered';

/**
 * The next incident after a look, and what to announce. A service must stay
 * unwell (a status of `statuses`) for `afterMs` before it is announced, and
 * well for `afterMs` before its recovery is: a service that flaps faster
 * than that is never announced, and an open incident that flaps stays one
 * incident. Unknown says nothing about the service (its cluster cannot be
 * read): the incident stays as it is. A service no longer deployed there
 * ends its incident without a word.
 */
export function nextIncident(
  incident: Incident | undefined,
  key: { entityRef: string; environment: string },
  look: Look,
  now: number,
  options: { afterMs: number; statuses: ReadonlyArray<'Failed' | 'Degraded'> },
): { incident?: Incident; announce?: Announcement } {
  const { state } = look;
  if (state === 'Unknown') return { incident };
  // taken out of the environment: nothing left to recover
  if (state === 'NotDeployed') return {};
  const unwell =
    (state === 'Failed' || state === 'Degraded') &&
    options.statuses.includes(state);
  if (unwell) {
    const worst =
      incident?.status === 'Failed' || state === 'Failed' ? 'Failed' : state;
    if (!incident)
      return {
        incident: {
          ...key,
          state: 'pending',
          status: state,
          since: now,
          reasons: look.reasons,
        },
      };
    if (incident.state === 'open')
      return { incident: { ...incident, wellSince: undefined } };
    const next: Incident = {
      ...incident,
      status: worst,
      reasons: look.reasons,
    };
    if (now - incident.since < options.afterMs) return { incident: next };
    return { incident: { ...next, state: 'open' }, announce: 'opened' };
  }
  // well (Healthy or Progressing)
  if (!incident || incident.state === 'pending') return {};
  const wellSince = incident.wellSince ?? now;
  if (now - wellSince < options.afterMs)
    return { incident: { ...incident, wellSince } };
  return { announce: 'recovered' };
}
