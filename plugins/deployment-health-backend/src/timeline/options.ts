import { Config } from '@backstage/config';
import { positiveNumber } from '../options';

const KEY = 'deploymentHealth.timeline';

/** `deploymentHealth.timeline.*` (see config.d.ts). */
export interface TimelineOptions {
  enabled: boolean;
  retentionDays: number;
  maxEntriesPerService: number;
}

export function readTimelineOptions(config: Config): TimelineOptions {
  const c = config.getOptionalConfig(KEY);
  return {
    enabled: c?.getOptionalBoolean('enabled') ?? true,
    retentionDays: positiveNumber(c, KEY, 'retentionDays', 30),
    maxEntriesPerService: Math.ceil(
      positiveNumber(c, KEY, 'maxEntriesPerService', 500),
    ),
  };
}
