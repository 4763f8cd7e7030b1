import { KUBERNETES_ID_LABEL } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { KubernetesObject } from '@kubernetes/client-node';
import { sanitize } from './sanitize';

const labelled = { labelSelector: KUBERNETES_ID_LABEL } as const;

/** What the cache watches, and how each kind is selected. Secrets are never read. */
export const RESOURCES = [
  {
    kind: 'Deployment',
    key: 'deployments',
    path: '/apis/apps/v1/deployments',
    selector: labelled,
  },
  {
    kind: 'StatefulSet',
    key: 'statefulSets',
    path: '/apis/apps/v1/statefulsets',
    selector: labelled,
  },
  {
    kind: 'DaemonSet',
    key: 'daemonSets',
    path: '/apis/apps/v1/daemonsets',
    selector: labelled,
  },
  {
    kind: 'ReplicaSet',
    key: 'replicaSets',
    path: '/apis/apps/v1/replicasets',
    selector: labelled,
  },
  { kind: 'Pod', key: 'pods', path: '/api/v1/pods', selector: labelled },
  {
    kind: 'HorizontalPodAutoscaler',
    key: 'hpas',
    path: '/apis/autoscaling/v2/horizontalpodautoscalers',
    selector: labelled,
  },
  // Events carry no labels: watch all Warning events and keep those about
  // object kinds we track; they are joined to services by involvedObject.uid.
  {
    kind: 'Event',
    key: 'events',
    path: '/api/v1/events',
    selector: { fieldSelector: 'type=Warning' },
  },
] as const;

export type Resource = (typeof RESOURCES)[number];
export type ResourceKey = Resource['key'];
/** The kinds labelled with a kubernetes-id: all but events. */
export const LABELLED = RESOURCES.filter(
  (r): r is Exclude<Resource, { key: 'events' }> => r.key !== 'events',
);
const TRACKED_KINDS = new Set<string>(LABELLED.map(r => r.kind));

/**
 * The object as the cache keeps it: kind stamped (lists omit it), secret
 * material stripped (see sanitize). Undefined for an event about a kind we
 * do not track.
 */
export function toCached(
  resource: Resource,
  obj: any,
): KubernetesObject | undefined {
  if (
    resource.key === 'events' &&
    !TRACKED_KINDS.has(obj?.involvedObject?.kind)
  )
    return undefined;
  obj.kind = resource.kind;
  return sanitize(obj);
}
