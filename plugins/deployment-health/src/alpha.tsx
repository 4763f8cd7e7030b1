import { Content } from '@backstage/core-components';
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { deploymentHealthApiRef, DeploymentHealthClient } from './api';
import { ClustersIcon, DeploymentsIcon } from './components/DeploymentsIcon';
import { isDeploymentHealthAvailable, isGroupEntity } from './filters';
import { clustersRouteRef, rootRouteRef } from './routes';

/** The API client, built on the app's discovery + authenticated fetch. @alpha */
export const deploymentHealthApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: deploymentHealthApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeploymentHealthClient({ discoveryApi, fetchApi }),
    }),
});

/** "Deployments" tab of services with Kubernetes annotations. @alpha */
export const entityDeploymentHealthContent = EntityContentBlueprint.make({
  name: 'entity',
  params: {
    path: '/deployments',
    title: 'Deployments',
    group: 'deployment',
    filter: isDeploymentHealthAvailable,
    loader: () =>
      import('./components/EntityDeploymentsContent').then(m => (
        <m.EntityDeploymentsContent />
      )),
  },
});

/** "Deployments" tab of Group entities: the team view. @alpha */
export const groupDeploymentHealthContent = EntityContentBlueprint.make({
  name: 'group',
  params: {
    path: '/deployments',
    title: 'Deployments',
    filter: isGroupEntity,
    loader: () =>
      import('./components/TeamDeployments').then(m => (
        <m.GroupDeploymentsContent />
      )),
  },
});

/** Summary card on the overview of services with Kubernetes annotations. @alpha */
export const entityDeploymentHealthCard = EntityCardBlueprint.make({
  name: 'summary',
  params: {
    filter: isDeploymentHealthAvailable,
    loader: () =>
      import('./components/EntityDeploymentsCard').then(m => (
        <m.EntityDeploymentsCard tabPath="deployments" />
      )),
  },
});

/** Team view page with a team picker, at /deployment-health. @alpha */
export const deploymentHealthPage = PageBlueprint.make({
  params: {
    path: '/deployment-health',
    routeRef: rootRouteRef,
    title: 'Deployments',
    icon: <DeploymentsIcon />,
    loader: () =>
      import('./components/TeamDeployments').then(m => (
        <Content>
          <m.DeploymentHealthPageContent />
        </Content>
      )),
  },
});

/**
 * The Clusters page at /deployment-health/clusters: each cluster's
 * connection and its own health (nodes, capacity, versions). A page with a
 * title and icon is a nav item in the app's sidebar. @alpha
 */
export const deploymentHealthClustersPage = PageBlueprint.make({
  name: 'clusters',
  params: {
    path: '/deployment-health/clusters',
    routeRef: clustersRouteRef,
    title: 'Clusters',
    icon: <ClustersIcon />,
    loader: () =>
      import('./components/ClustersPage').then(m => (
        <Content>
          <m.ClustersPageContent />
        </Content>
      )),
  },
});

/**
 * The deployment-health plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'deployment-health',
  title: 'Deployment health',
  icon: <DeploymentsIcon />,
  info: { packageJson: () => import('../package.json') },
  routes: { root: rootRouteRef, clusters: clustersRouteRef },
  extensions: [
    deploymentHealthApi,
    entityDeploymentHealthContent,
    groupDeploymentHealthContent,
    entityDeploymentHealthCard,
    deploymentHealthPage,
    deploymentHealthClustersPage,
  ],
});
