/**
 * Shipyard scaffolder actions: `shipyard:team:check`, `shipyard:template:record`, `shipyard:validate`, `shipyard:publish:local`,
 * `shipyard:kubernetes:namespace`, `shipyard:deploy`, `shipyard:deployment:status`.
 *
 * The default export is a feature loader with the scaffolder module and the
 * `file://` UrlReader for locally published repositories (so that
 * `catalog:register` can read them). The policy rules behind
 * `shipyard:validate` are exported too, for tests of templates and services.
 *
 * @packageDocumentation
 */
export { default } from './feature';
export { scaffolderModule } from './module';
export { shipyardLocalRepoUrlReader } from './catalog/localRepoUrlReader';
export { createShipyardValidateAction } from './actions/validate';
export { createShipyardPublishLocalAction } from './actions/publishLocal';
export { createShipyardKubernetesNamespaceAction } from './actions/kubernetesNamespace';
export { createShipyardTeamCheckAction } from './actions/teamCheck';
export {
  createShipyardTemplateRecordAction,
  TEMPLATE_RECORD_PATH,
} from './actions/templateRecord';
export { createShipyardDeployAction } from './actions/deploy';
export { createShipyardDeploymentStatusAction } from './actions/deploymentStatus';
export { readShipyardConfig } from './config';
export type { ShipyardModuleConfig } from './config';
export { resolveHelmBinary, HelmNotFoundError } from './lib/helm';
export { runProgram } from './lib/run';
export type { RunResult } from './lib/run';
// Re-exported for tests of charts, which check the label on every object.
export { KUBERNETES_ID_LABEL } from '@shipyard-platform/backstage-plugin-deployment-health-common';
// Re-exported for the template tests, which check the templates' versions.
export {
  ANNOTATION_TEMPLATE_VERSION,
  compareTemplateVersions,
  parseTemplateVersion,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
export * from './policy';
