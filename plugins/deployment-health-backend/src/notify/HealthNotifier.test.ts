import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type {
  ClusterHealth,
  EntityHealth,
  HealthStatus,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { readTenancyRules } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import knexFactory, { Knex } from 'knex';
import { component } from '../__testUtils__/backend';
import { HealthNotifier } from './HealthNotifier';
import { IncidentStore } from './IncidentStore';
import { readNotificationOptions } from './options';

/*
 * The notifier's own logic around nextIncident: what it stores and when,
 * with a real incident store (SQLite) and the catalog's mock; the caches
 * and the health are the parts it reads, given here. End to end (kwok, the
 * real notifications backend) is notify.integration.test.ts.
 */
describe('HealthNotifier', () => {
  let knex: Knex;
  let store: IncidentStore;
  let status: HealthStatus;
  let now: number;
  const send = jest.fn();
  const orders = component('orders', 'team-a');

  const notifier = (entities: object[] = [orders]) =>
    new HealthNotifier({
      caches: [
        {
          cluster: { name: 'prod', environment: 'production' },
          index: { kubernetesIds: () => new Set(['orders']) },
        } as any,
      ],
      catalog: catalogServiceMock({ entities: entities as any }),
      auth: mockServices.auth(),
      notifications: { send },
      store,
      health: async () => health(status),
      tenancy: readTenancyRules(new ConfigReader({})),
      options: readNotificationOptions(
        new ConfigReader({
          deploymentHealth: { notifications: { afterSeconds: 60 } },
        }),
      ),
      logger: mockServices.logger.mock(),
      now: () => now,
    });

  beforeEach(async () => {
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    store = await IncidentStore.create({ getClient: async () => knex });
    send.mockReset();
    now = 0;
  });
  afterEach(() => knex.destroy());

  it('sends an announcement that failed again at the next look, and stores it only once sent', async () => {
    const n = notifier();
    status = 'Failed';
    await n.look(); // pending
    now = 60_000;
    send.mockRejectedValueOnce(new Error('notifications backend down'));
    await n.look();
    expect(send).toHaveBeenCalledTimes(1);
    expect((await store.all())[0].state).toBe('pending');
    now = 90_000;
    await n.look();
    expect(send).toHaveBeenCalledTimes(2);
    expect(send.mock.calls[1][0]).toMatchObject({
      recipients: { type: 'entity', entityRef: ['group:default/team-a'] },
      payload: {
        title: 'orders is Failed in production',
        link: '/catalog/default/component/orders/deployments',
      },
    });
    expect((await store.all())[0].state).toBe('open');
    now = 120_000;
    await n.look();
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('forgets the incident of an entity gone from the catalog', async () => {
    status = 'Failed';
    await notifier().look();
    expect(await store.all()).toHaveLength(1);
    await notifier([]).look();
    expect(await store.all()).toEqual([]);
  });
});

/** A service deployed in prod with this status. */
function health(status: HealthStatus): EntityHealth {
  const cluster: ClusterHealth = {
    cluster: 'prod',
    environment: 'production',
    status,
    reasons:
      status === 'Healthy'
        ? []
        : [
            {
              status,
              code: 'CrashLoopBackOff',
              scope: 'pod',
              message: 'crash',
            },
          ],
    workloads: [{} as any],
    otherPods: [],
    source: 'cache',
  };
  return {
    entityRef: 'component:default/orders',
    status,
    reasons: cluster.reasons.map(r => ({ ...r, cluster: 'prod' })),
    clusters: [cluster],
    versions: {} as any,
  } as EntityHealth;
}
