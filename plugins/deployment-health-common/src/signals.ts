import { stringifyEntityRef, parseEntityRef } from '@backstage/catalog-model';

/**
 * Signals (`@backstage/plugin-signals-*`) by which the backend says that
 * something changed, and the frontend refetches. They carry no object data:
 * what changed is read again through the API, with the reader's permissions.
 */

const PREFIX = 'deployment-health';

// Entity refs compare case-insensitively; channels are compared as strings.
const normalized = (ref: string) => ref.toLocaleLowerCase('en-US');

/**
 * The channel on which an entity's health changes are announced.
 *
 * @public
 */
export function entityHealthChannel(entityRef: string): string {
  const ref = stringifyEntityRef(parseEntityRef(entityRef));
  return `${PREFIX}:entity:${normalized(ref)}`;
}

/**
 * The channel on which changes of any service a team (or one of its
 * sub-teams) owns are announced.
 *
 * @public
 */
export function groupHealthChannel(groupRef: string): string {
  const ref = parseEntityRef(groupRef, {
    defaultKind: 'group',
    defaultNamespace: 'default',
  });
  return `${PREFIX}:group:${normalized(stringifyEntityRef(ref))}`;
}

/**
 * A broadcast with no content, sent every HEALTH_SIGNALS_HEARTBEAT_MS while
 * the backend publishes signals: a browser that stops receiving it knows
 * that its signals connection (or the backend's signals) is gone, and polls.
 *
 * @public
 */
export const HEALTH_SIGNALS_HEARTBEAT_CHANNEL = `${PREFIX}:heartbeat`;

/**
 * How often the backend sends the heartbeat, in ms.
 *
 * @public
 */
export const HEALTH_SIGNALS_HEARTBEAT_MS = 20_000;

/**
 * What a health signal says: which entity or team, and what kind of change.
 * Never object data.
 *
 * @public
 */
export type HealthSignalMessage =
  | { kind: 'entity'; entityRef: string; change: 'health' }
  | { kind: 'group'; groupRef: string; change: 'health' }
  | { kind: 'heartbeat' };
