import { Config } from '@backstage/config';
import path from 'node:path';

/** Config keys of this module (see config.d.ts). */
export const CONFIG_KEYS = {
  helmPath: 'shipyard.helm.path',
  publishBaseDir: 'shipyard.publish.local.baseDir',
  allowedClusters: 'shipyard.deploy.allowedClusters',
  ingressNamespace: 'shipyard.kubernetes.ingressControllerNamespace',
} as const;

/** Settings read from `shipyard.*`. */
export interface ShipyardModuleConfig {
  helmPath?: string;
  publishBaseDir?: string;
  allowedClusters?: string[];
  ingressNamespace?: string;
}

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
