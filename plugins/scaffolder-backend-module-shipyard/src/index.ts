/**
 * Shipyard scaffolder actions: `shipyard:validate`, `shipyard:publish:local`,
 * `shipyard:kubernetes:namespace`, `shipyard:deploy`, `shipyard:deployment:status`.
 *
 * The default export is a feature loader with the scaffolder module and the
 * `file://` UrlReader for locally published repositories (so that
 * `catalog:register` can read them).
 *
 * @packageDocumentation
 */
import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import { scaffolderModule } from './module';
import { shipyardLocalRepoUrlReader } from './catalog/localRepoUrlReader';

export default createBackendFeatureLoader({
  loader() {
    return [scaffolderModule, shipyardLocalRepoUrlReader];
  },
});
export { scaffolderModule };
export {
  LocalRepoUrlReader,
  localRepoReaderFactory,
  shipyardLocalRepoUrlReader,
} from './catalog/localRepoUrlReader';
export { createShipyardValidateAction } from './actions/validate';
export {
  createShipyardPublishLocalAction,
  localRepoUrls,
} from './actions/publishLocal';
export {
  createShipyardKubernetesNamespaceAction,
  teamNamespaceManifests,
  FIELD_MANAGER,
  TEAM_LABEL,
} from './actions/kubernetesNamespace';
export type { TeamNamespaceOptions } from './actions/kubernetesNamespace';
export {
  createShipyardDeployAction,
  redactCredentials,
} from './actions/deploy';
export {
  createShipyardDeploymentStatusAction,
  readServiceObjects,
  describeHealth,
  MAX_WAIT_SECONDS,
} from './actions/deploymentStatus';
export { readShipyardConfig, CONFIG_KEYS } from './config';
export type { ShipyardModuleConfig } from './config';
export {
  resolveHelmBinary,
  HELM_PATH_CONFIG_KEY,
  HelmNotFoundError,
} from './lib/helm';
export * from './policy';
