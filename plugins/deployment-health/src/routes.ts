import { createRouteRef } from '@backstage/frontend-plugin-api';
import { createRouteRef as createLegacyRouteRef } from '@backstage/core-plugin-api';

/** The team view page (new frontend system). */
export const rootRouteRef = createRouteRef();

/** The Clusters page (new frontend system). */
export const clustersRouteRef = createRouteRef();

/** The team view page (legacy frontend system). */
export const legacyRootRouteRef = createLegacyRouteRef({
  id: 'deployment-health',
});

/** The entity "Deployments" tab (legacy frontend system). */
export const legacyEntityContentRouteRef = createLegacyRouteRef({
  id: 'deployment-health:entity-content',
});

/** The Clusters page (legacy frontend system). */
export const legacyClustersRouteRef = createLegacyRouteRef({
  id: 'deployment-health:clusters',
});
