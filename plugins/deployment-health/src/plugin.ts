import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { deploymentHealthApiRef, DeploymentHealthClient } from './api';
import {
  legacyClustersRouteRef,
  legacyEntityContentRouteRef,
  legacyRootRouteRef,
} from './routes';
import type { DeploymentHealthClustersPageProps } from './components/ClustersPage';
import type { EntityDeploymentHealthCardProps } from './components/EntityDeploymentsCard';
import type { EntityDeploymentHealthContentProps } from './components/EntityDeploymentsContent';
import type {
  DeploymentHealthPageProps,
  EntityGroupDeploymentHealthContentProps,
} from './components/TeamDeployments';

/**
 * The deployment-health plugin for the legacy frontend system
 * (`@backstage/core-plugin-api`). New-frontend-system apps use the default
 * export of `@shipyard-platform/backstage-plugin-deployment-health/alpha` instead.
 *
 * @public
 */
export const deploymentHealthPlugin = createPlugin({
  id: 'deployment-health',
  apis: [
    createApiFactory({
      api: deploymentHealthApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeploymentHealthClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: legacyRootRouteRef,
    entityContent: legacyEntityContentRouteRef,
    clusters: legacyClustersRouteRef,
  },
});

/**
 * The "Deployments" tab for a service's entity page.
 *
 * @public
 */
export const EntityDeploymentHealthContent: (
  props: EntityDeploymentHealthContentProps,
) => JSX.Element = deploymentHealthPlugin.provide(
  createRoutableExtension({
    name: 'EntityDeploymentHealthContent',
    component: () =>
      import('./components/EntityDeploymentsContent').then(
        m => m.EntityDeploymentsContent,
      ),
    mountPoint: legacyEntityContentRouteRef,
  }),
);

/**
 * The "Deployments" tab for a Group's entity page (team view).
 *
 * @public
 */
export const EntityGroupDeploymentHealthContent: (
  props: EntityGroupDeploymentHealthContentProps,
) => JSX.Element = deploymentHealthPlugin.provide(
  createComponentExtension({
    name: 'EntityGroupDeploymentHealthContent',
    component: {
      lazy: () =>
        import('./components/TeamDeployments').then(
          m => m.GroupDeploymentsContent,
        ),
    },
  }),
);

/**
 * Summary card for a service's overview page.
 *
 * @public
 */
export const EntityDeploymentHealthCard: (
  props: EntityDeploymentHealthCardProps,
) => JSX.Element = deploymentHealthPlugin.provide(
  createComponentExtension({
    name: 'EntityDeploymentHealthCard',
    component: {
      lazy: () =>
        import('./components/EntityDeploymentsCard').then(
          m => m.EntityDeploymentsCard,
        ),
    },
  }),
);

/**
 * Standalone team view page with a team picker.
 *
 * @public
 */
export const DeploymentHealthPage: (
  props: DeploymentHealthPageProps,
) => JSX.Element = deploymentHealthPlugin.provide(
  createRoutableExtension({
    name: 'DeploymentHealthPage',
    component: () =>
      import('./components/TeamDeployments').then(m => m.DeploymentHealthPage),
    mountPoint: legacyRootRouteRef,
  }),
);

/**
 * The Clusters page: each cluster's connection and its own health (nodes,
 * capacity, versions; node details for the platform team).
 *
 * @public
 */
export const DeploymentHealthClustersPage: (
  props: DeploymentHealthClustersPageProps,
) => JSX.Element = deploymentHealthPlugin.provide(
  createRoutableExtension({
    name: 'DeploymentHealthClustersPage',
    component: () =>
      import('./components/ClustersPage').then(m => m.ClustersPage),
    mountPoint: legacyClustersRouteRef,
  }),
);
