import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read the summary of a catalog entity's deployment health: statuses, reason
 * codes, rollout and pod counts, but no pod names, images, container messages
 * or events (the team view's form; see the backend README).
 *
 * A resource permission on `catalog-entity`. Shipyard's policy
 * (`@shipyard-platform/backstage-plugin-permission-backend-module-shipyard`)
 * allows it to everyone signed in.
 *
 * @public
 */
export const deploymentHealthSummaryReadPermission = createPermission({
  name: 'deployment-health.entity.summary.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * Read the details of a catalog entity's deployment health: pods, containers
 * and their messages, images, events (the service tab's full report).
 *
 * A resource permission on `catalog-entity`, so a conditional policy can use
 * the catalog's rules: Shipyard's policy allows it when `isEntityOwner` (the
 * caller's team) or to the platform groups. Without it, the health API
 * answers with the summary (see {@link deploymentHealthSummaryReadPermission}).
 *
 * @public
 */
export const deploymentHealthReadPermission = createPermission({
  name: 'deployment-health.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * List clusters with their sync state and errors (no credentials, no URLs),
 * and their health in the restricted form (see
 * {@link deploymentHealthNodesReadPermission} for the node details).
 *
 * @public
 */
export const deploymentHealthClustersReadPermission = createPermission({
  name: 'deployment-health.clusters.read',
  attributes: { action: 'read' },
});

/**
 * Read the node details of the clusters: node names, each node's findings,
 * kubelet and API server versions, allocatable and requested capacity. They
 * describe the platform every team shares (and the pods of all teams on it),
 * so they are not part of {@link deploymentHealthClustersReadPermission}:
 * without this permission, `GET /clusters` (and the team view's cluster
 * list) carries each cluster's health status, its nodes ready of total, its
 * cluster-level findings and one finding per node problem with the number of
 * nodes that have it, marked `nodeDetailsRestricted`.
 *
 * A basic permission. Shipyard's policy allows it to the platform groups only.
 *
 * @public
 */
export const deploymentHealthNodesReadPermission = createPermission({
  name: 'deployment-health.nodes.read',
  attributes: { action: 'read' },
});

/** All deployment-health permissions. @public */
export const deploymentHealthPermissions = [
  deploymentHealthSummaryReadPermission,
  deploymentHealthReadPermission,
  deploymentHealthClustersReadPermission,
  deploymentHealthNodesReadPermission,
];
