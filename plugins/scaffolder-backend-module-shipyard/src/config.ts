import { Config } from '@backstage/config';
import path from 'node:path';

/** Config keys of this module (see config.d.ts). */
export const CONFIG_KEYS = {
  helmPath: 'shipyard.helm.path',
  publishBaseDir: 'shipyard.publish.local.baseDir',
  allowedClusters: 'shipyard.deploy.allowedClusters',
  ingressNamespace: 'shipyard.kubernetes.ingressControllerNamespace',
} as const;

/**
 * Settings of the Shipyard actions, read from `shipyard.*` (see
 * {@link readShipyardConfig}).
 *
 * @public
 */
export interface ShipyardModuleConfig {
  /** Helm executable (`shipyard.helm.path`); looked up by {@link resolveHelmBinary} when unset. */
  helmPath?: string;
  /** Absolute directory `shipyard:publish:local` publishes to (`shipyard.publish.local.baseDir`). */
  publishBaseDir?: string;
  /** Clusters `shipyard:deploy` and `shipyard:kubernetes:namespace` may change (`shipyard.deploy.allowedClusters`); all when unset. */
  allowedClusters?: string[];
  /** Namespace of the ingress controller allowed to reach team pods (`shipyard.kubernetes.ingressControllerNamespace`); default ingress-nginx. */
  ingressNamespace?: string;
}

/**
 * Reads the {@link ShipyardModuleConfig} from the root config; an empty one
 * without config.
 *
 * @public
 */
export function readShipyardConfig(config?: Config): ShipyardModuleConfig {
  if (!config) return {};
  const baseDir = config.getOptionalString(CONFIG_KEYS.publishBaseDir);
  return {
    helmPath: config.getOptionalString(CONFIG_KEYS.helmPath) || undefined,
    publishBaseDir: baseDir ? path.resolve(baseDir) : undefined,
    allowedClusters: config.getOptionalStringArray(CONFIG_KEYS.allowedClusters),
    ingressNamespace: config.getOptionalString(CONFIG_KEYS.ingressNamespace),
  };
}
