import {
  KUBERNETES_ID_LABEL,
  projectNode,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { KubernetesObject } from '@kubernetes/client-node';
import { sanitize } from './sanitize';

/** How a kind is selected when it is listed and watched. @public */
export type ResourceSelector = {
  labelSelector?: string;
  fieldSelector?: string;
};

/** A kind the cache selects by its kubernetes-id label. */
const labelled = <Kind extends string, Key extends string>(
  kind: Kind,
  key: Key,
  path: string,
) => ({
  kind,
  key,
  path,
  selector: { labelSelector: KUBERNETES_ID_LABEL } as ResourceSelector,
});

/**
 * The kinds a service's health is read from, with their list paths and the
 * selector a cluster-wide watch uses. Secrets are never read.
 *
 * @public
 */
export const RESOURCES = [
  labelled('Deployment', 'deployments', '/apis/apps/v1/deployments'),
  labelled('StatefulSet', 'statefulSets', '/apis/apps/v1/statefulsets'),
  labelled('DaemonSet', 'daemonSets', '/apis/apps/v1/daemonsets'),
  labelled('ReplicaSet', 'replicaSets', '/apis/apps/v1/replicasets'),
  labelled('Pod', 'pods', '/api/v1/pods'),
  labelled(
    'HorizontalPodAutoscaler',
    'hpas',
    '/apis/autoscaling/v2/horizontalpodautoscalers',
  ),
  // Events carry no labels: watch all Warning events and keep those about
  // object kinds we track; they are joined to services by involvedObject.uid.
  {
    kind: 'Event' as const,
    key: 'events' as const,
    path: '/api/v1/events',
    selector: { fieldSelector: 'type=Warning' } as ResourceSelector,
  },
  // Cluster-scoped, for the cluster's own health. Optional: a reader whose
  // RBAC lacks it still watches the rest; the cluster then reports one
  // NodesForbidden warning instead of an error.
  {
    kind: 'Node' as const,
    key: 'nodes' as const,
    path: '/api/v1/nodes',
    selector: {} as ResourceSelector,
    optionalPermission: 'list/watch nodes',
  },
];

/** One of {@link RESOURCES}. @public */
export type Resource = (typeof RESOURCES)[number];
/** The key of a kind in `ServiceObjects`. @public */
export type ResourceKey = Resource['key'];
/** The kinds labelled with a kubernetes-id: all but events and nodes. @public */
export const LABELLED = RESOURCES.filter(
  (r): r is Exclude<Resource, { key: 'events' | 'nodes' }> =>
    r.key !== 'events' && r.key !== 'nodes',
);

/**
 * The RBAC permission a kind needs that a reader may lack without the
 * cluster failing (`list/watch nodes`); undefined for the kinds every
 * reader must be able to list.
 *
 * @public
 */
export function optionalPermissionOf(resource: Resource): string | undefined {
  return 'optionalPermission' in resource
    ? resource.optionalPermission
    : undefined;
}
const TRACKED_KINDS = new Set<string>(LABELLED.map(r => r.kind));

/**
 * The object as the cache keeps it: kind stamped (lists omit it), secret
 * material stripped (see sanitize), a Node cut to what the rules read
 * (projectNode). Undefined for an event about a kind we do not track.
 *
 * @public
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
  if (resource.key === 'nodes') return projectNode(obj);
  return sanitize(obj);
}
