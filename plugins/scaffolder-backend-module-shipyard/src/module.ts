import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { readShipyardConfig } from './config';
import { createShipyardTeamCheckAction } from './actions/teamCheck';
import { createShipyardTemplateRecordAction } from './actions/templateRecord';
import { createShipyardValidateAction } from './actions/validate';
import { createShipyardPublishLocalAction } from './actions/publishLocal';
import { createShipyardKubernetesNamespaceAction } from './actions/kubernetesNamespace';
import { createShipyardDeployAction } from './actions/deploy';
import { createShipyardDeploymentStatusAction } from './actions/deploymentStatus';
import {
  readClusterReadOptions,
  shipyardClustersServiceRef,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';

/**
 * Registers the Shipyard scaffolder actions (`shipyard:*`).
 *
 * @public
 */
export const scaffolderModule = createBackendModule({
  moduleId: 'shipyard',
  pluginId: 'scaffolder',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        clusters: shipyardClustersServiceRef,
        catalog: catalogServiceRef,
        permissions: coreServices.permissions,
      },
      async init({
        scaffolderActions,
        config,
        clusters,
        catalog,
        permissions,
      }) {
        const moduleConfig = readShipyardConfig(config);
        scaffolderActions.addActions(
          createShipyardTeamCheckAction({ catalog, config: moduleConfig }),
          createShipyardTemplateRecordAction(),
          createShipyardValidateAction({ config: moduleConfig }),
          createShipyardPublishLocalAction({ config: moduleConfig }),
          // moduleConfig.tenancy holds the shipyard.tenancy rules; the catalog tells who is in which team
          createShipyardKubernetesNamespaceAction({
            clusters,
            catalog,
            config: moduleConfig,
          }),
          createShipyardDeployAction({
            clusters,
            catalog,
            config: moduleConfig,
          }),
          createShipyardDeploymentStatusAction({
            clusters,
            catalog,
            permissions,
            config: moduleConfig,
            read: readClusterReadOptions(config),
          }),
        );
      },
    });
  },
});
