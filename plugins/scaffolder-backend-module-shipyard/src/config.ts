import { Config } from '@backstage/config';
import path from 'node:path';
import type { TenancyRules } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { readTenancyRules } from '@shipyard-platform/backstage-plugin-deployment-health-node';

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
  /**
   * Who may act for which team, reserved namespace names, team namespaces
   * (`shipyard.tenancy.*`, read by `readTenancyRules` of the deployment-health
   * node package so every Shipyard plugin enforces the same rules). The
   * defaults of `DEFAULT_TENANCY_RULES` when unset.
   */
  tenancy?: TenancyRules;
}

/**
 * Reads the {@link ShipyardModuleConfig} from the root config; without
 * config, only the default tenancy rules.
 *
 * @public
 */
export function readShipyardConfig(config?: Config): ShipyardModuleConfig {
  if (!config) return { tenancy: readTenancyRules() };
  const baseDir = config.getOptionalString(CONFIG_KEYS.publishBaseDir);
  return {
    helmPath: config.getOptionalString(CONFIG_KEYS.helmPath) || undefined,
    publishBaseDir: baseDir ? path.resolve(baseDir) : undefined,
    allowedClusters: config.getOptionalStringArray(CONFIG_KEYS.allowedClusters),
    ingressNamespace: config.getOptionalString(CONFIG_KEYS.ingressNamespace),
    tenancy: readTenancyRules(config),
  };
}
