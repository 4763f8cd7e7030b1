/**
 * Shipyard scaffolder actions: `shipyard:validate`, `shipyard:publish:local`,
 * `shipyard:kubernetes:namespace`, `shipyard:deploy`, `shipyard:deployment:status`.
 *
 * @packageDocumentation
 */

export { scaffolderModule as default } from './module';
export { createShipyardValidateAction } from './actions/validate';
export { readShipyardConfig, CONFIG_KEYS } from './config';
export type { ShipyardModuleConfig } from './config';
export { resolveHelmBinary, HELM_PATH_CONFIG_KEY, HelmNotFoundError } from './lib/helm';
export * from './policy';
