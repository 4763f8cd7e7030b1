import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read the deployment health of a catalog entity (a component, or a group
 * for the team view).
 *
 * A resource permission on `catalog-entity`, so a conditional policy can use
 * the catalog's rules, e.g. allow it only when `isEntityOwner` (scope health
 * to the caller's team).
 *
 * @public
 */
export const deploymentHealthReadPermission = createPermission({
  name: 'deployment-health.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * List clusters with their sync state and errors (no credentials, no URLs).
 *
 * @public
 */
export const deploymentHealthClustersReadPermission = createPermission({
  name: 'deployment-health.clusters.read',
  attributes: { action: 'read' },
});

/** All deployment-health permissions. @public */
export const deploymentHealthPermissions = [
  deploymentHealthReadPermission,
  deploymentHealthClustersReadPermission,
];
