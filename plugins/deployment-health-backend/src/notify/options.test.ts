import { ConfigReader } from '@backstage/config';
import { startHealthBackend } from '../__testUtils__/backend';
import { readNotificationOptions } from './options';

const cluster = {
  name: 'prod',
  url: 'https://127.0.0.1:9',
  environment: 'production',
  serviceAccountToken: 'reader-token',
};

describe('deploymentHealth.notifications', () => {
  it('defaults to production, both statuses, 5 minutes, a look every 30 s', () => {
    expect(readNotificationOptions(new ConfigReader({}))).toEqual({
      enabled: true,
      environments: [{ name: 'production', statuses: ['Failed', 'Degraded'] }],
      afterMs: 300_000,
      intervalMs: 30_000,
      tabPath: 'deployments',
    });
  });

  it('refuses a status other than Failed or Degraded, naming the key', () => {
    expect(() =>
      readNotificationOptions(
        new ConfigReader({
          deploymentHealth: {
            notifications: {
              environments: [{ name: 'production', statuses: ['Unknown'] }],
            },
          },
        }),
      ),
    ).toThrow(
      'deploymentHealth.notifications.environments[0].statuses[0]: "Unknown" is not one of Failed, Degraded',
    );
  });

  it('refuses a look interval or window that is not positive, naming the key', () => {
    expect(() =>
      readNotificationOptions(
        new ConfigReader({
          deploymentHealth: { notifications: { intervalSeconds: 0 } },
        }),
      ),
    ).toThrow(
      'deploymentHealth.notifications.intervalSeconds: must be a positive number, not 0',
    );
  });

  it('fails the start-up on an environment no configured cluster has, naming the key', async () => {
    await expect(
      startHealthBackend({
        clusters: [cluster],
        deploymentHealth: {
          notifications: { environments: [{ name: 'prodution' }] },
        },
        entities: [],
      }),
    ).rejects.toThrow(
      'deploymentHealth.notifications.environments[0].name: no configured cluster has the environment "prodution" (the clusters have: production)',
    );
  });

  it('starts with the default on clusters without production, and with no cluster yet', async () => {
    for (const clusters of [[{ ...cluster, environment: 'staging' }], []]) {
      const backend = await startHealthBackend({ clusters, entities: [] });
      await backend.stop();
    }
  });
});
