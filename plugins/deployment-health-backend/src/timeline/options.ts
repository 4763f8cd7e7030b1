import { Config } from '@backstage/config';

/** `deploymentHealth.timeline.*` (see config.d.ts). */
export interface TimelineOptions {
  enabled: boolean;
  retentionDays: number;
  maxEntriesPerService: number;
}

export function readTimelineOptions(config: Config): TimelineOptions {
  const c = config.getOptionalConfig('deploymentHealth.timeline');
  return {
    enabled: c?.getOptionalBoolean('enabled') ?? true,
    retentionDays: c?.getOptionalNumber('retentionDays') ?? 30,
    maxEntriesPerService: c?.getOptionalNumber('maxEntriesPerService') ?? 500,
  };
}
