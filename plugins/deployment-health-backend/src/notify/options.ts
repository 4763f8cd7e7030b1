import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { positiveNumber } from '../options';

const STATUSES = ['Failed', 'Degraded'] as const;
type UnwellStatus = (typeof STATUSES)[number];

/** `deploymentHealth.notifications.*` (see config.d.ts). */
export interface NotificationOptions {
  enabled: boolean;
  /** The environments whose services are watched, and the statuses that count there. */
  environments: Array<{
    name: string;
    statuses: UnwellStatus[];
    /** Where the name is, for messages; absent for the default. */
    configKey?: string;
  }>;
  /** How long a service stays unwell (or well again) before it is announced. */
  afterMs: number;
  /** How often the services are looked at. */
  intervalMs: number;
  /** The entity page's tab the notifications link to ('' for the page itself). */
  tabPath: string;
}

const KEY = 'deploymentHealth.notifications';

export function readNotificationOptions(config: Config): NotificationOptions {
  const c = config.getOptionalConfig(KEY);
  const environments = c
    ?.getOptionalConfigArray('environments')
    ?.map((e, i) => {
      const statuses = e.getOptionalStringArray('statuses') ?? [...STATUSES];
      statuses.forEach((s, j) => {
        if (!(STATUSES as readonly string[]).includes(s))
          throw new InputError(
            `${KEY}.environments[${i}].statuses[${j}]: "${s}" is not one of ${STATUSES.join(
              ', ',
            )}`,
          );
      });
      return {
        name: e.getString('name'),
        statuses: statuses as UnwellStatus[],
        configKey: `${KEY}.environments[${i}].name`,
      };
    }) ?? [{ name: 'production', statuses: [...STATUSES] }];
  return {
    enabled: c?.getOptionalBoolean('enabled') ?? true,
    environments,
    afterMs: positiveNumber(c, KEY, 'afterSeconds', 300) * 1000,
    intervalMs: positiveNumber(c, KEY, 'intervalSeconds', 30) * 1000,
    tabPath: (c?.getOptionalString('entityTabPath') ?? 'deployments').replace(
      /^\/+|\/+$/g,
      '',
    ),
  };
}

/**
 * Refuses environments no configured cluster has, naming the key: a typo
 * would otherwise silence every notification. While no cluster is
 * configured yet (say, being prepared) there is nothing to check against.
 */
export function assertKnownEnvironments(
  options: NotificationOptions,
  clusterEnvironments: Iterable<string>,
) {
  const known = new Set(clusterEnvironments);
  if (known.size === 0) return;
  for (const e of options.environments) {
    // the default (production) may simply not exist here
    if (e.configKey && !known.has(e.name))
      throw new InputError(
        `${e.configKey}: no configured cluster has the environment "${
          e.name
        }" (the clusters have: ${[...known].sort().join(', ')})`,
      );
  }
}
