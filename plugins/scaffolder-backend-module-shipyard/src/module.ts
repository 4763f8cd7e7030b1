import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { readShipyardConfig } from './config';
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
      },
      async init({ scaffolderActions, config, clusters }) {
        const moduleConfig = readShipyardConfig(config);
        scaffolderActions.addActions(
          createShipyardValidateAction({ config: moduleConfig }),
          createShipyardPublishLocalAction({ config: moduleConfig }),
          createShipyardKubernetesNamespaceAction({
            clusters,
            config: moduleConfig,
          }),
          createShipyardDeployAction({ clusters, config: moduleConfig }),
          createShipyardDeploymentStatusAction({
            clusters,
            config: moduleConfig,
            read: readClusterReadOptions(config),
          }),
        );
      },
    });
  },
});
