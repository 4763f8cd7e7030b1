import { Config } from '@backstage/config';
import {
  DEFAULT_RESERVED_NAMESPACES,
  TenancyRules,
  toGroupRef,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';

/**
 * Reads the tenancy rules from `shipyard.tenancy.*` (see config.d.ts). The
 * scaffolder actions, the health backend and the permission policy read the
 * same keys, so one block of config sets the boundary for all three.
 *
 * @public
 */
export function readTenancyRules(config?: Config): TenancyRules {
  const c = config?.getOptionalConfig('shipyard.tenancy');
  // A list rather than a map: config keys may not hold the '/' of a group ref.
  const teamNamespaces: Record<string, string[]> = {};
  for (const entry of c?.getOptionalConfigArray('teamNamespaces') ?? []) {
    teamNamespaces[toGroupRef(entry.getString('team'))] =
      entry.getStringArray('namespaces');
  }
  return {
    platformGroups: (c?.getOptionalStringArray('platformGroups') ?? []).map(
      toGroupRef,
    ),
    reservedNamespaces: [
      ...DEFAULT_RESERVED_NAMESPACES,
      ...(c?.getOptionalStringArray('reservedNamespaces') ?? []),
    ],
    teamNamespaces,
  };
}
