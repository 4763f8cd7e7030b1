import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import knexFactory from 'knex';
import request from 'supertest';
import { component, startHealthBackend } from '../__testUtils__/backend';

/*
 * The timeline route without clusters: its parameters, the off switch, and
 * a database that stops answering (an error on the timeline only).
 */
jest.setTimeout(60_000);

const TIMELINE =
  '/api/deployment-health/entity/default/component/orders/timeline';
const group = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-a', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

const sqlite = () =>
  knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });

const get = (server: any, path: string) =>
  request(server).get(path).set('Authorization', mockCredentials.user.header());

describe('GET /entity/:namespace/:kind/:name/timeline', () => {
  it('answers an empty first page, and refuses a bad limit or cursor', async () => {
    const backend = await startHealthBackend({
      entities: [group, component('orders', 'team-a')],
    });
    try {
      const res = await get(backend.server, TIMELINE);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        entityRef: 'component:default/orders',
        entries: [],
      });
      expect((await get(backend.server, `${TIMELINE}?limit=0`)).status).toBe(
        400,
      );
      expect((await get(backend.server, `${TIMELINE}?limit=201`)).status).toBe(
        400,
      );
      expect(
        (await get(backend.server, `${TIMELINE}?before=yesterday`)).status,
      ).toBe(400);
      expect((await request(backend.server).get(TIMELINE)).status).toBe(401);
    } finally {
      await backend.stop();
    }
  });

  it('schedules the prune task once across replicas (scope global), and it prunes', async () => {
    const scheduler = mockServices.scheduler.mock();
    const knex = sqlite();
    const backend = await startHealthBackend({
      entities: [group, component('orders', 'team-a')],
      deploymentHealth: {
        timeline: { retentionDays: 1, maxEntriesPerService: 10 },
      },
      features: [mockServices.database.factory({ knex }), scheduler.factory],
    });
    try {
      expect(scheduler.scheduleTask).toHaveBeenCalledWith(
        expect.objectContaining({
          id: 'deployment-health-timeline-prune',
          scope: 'global',
        }),
      );
      await knex('timeline_entries').insert({
        cluster: 'dev',
        namespace: 'team-a',
        kubernetes_id: 'orders',
        entry_key: 'rollout/u/2',
        type: 'rollout',
        at: Date.now() - 2 * 86_400_000,
        status: 'complete',
        data: '{}',
      });
      const task = scheduler.scheduleTask.mock.calls[0][0];
      await task.fn(new AbortController().signal as any);
      expect(await knex('timeline_entries').count({ n: '*' })).toEqual([
        { n: 0 },
      ]);
    } finally {
      await backend.stop();
      await knex.destroy();
    }
  });

  it('is 404 when switched off, and leaves the database untouched (with the notifications off too)', async () => {
    const knex = sqlite();
    const backend = await startHealthBackend({
      entities: [group, component('orders', 'team-a')],
      deploymentHealth: {
        timeline: { enabled: false },
        notifications: { enabled: false },
      },
      features: [mockServices.database.factory({ knex })],
    });
    try {
      expect((await get(backend.server, TIMELINE)).status).toBe(404);
      expect(await knex.schema.hasTable('timeline_entries')).toBe(false);
    } finally {
      await backend.stop();
      await knex.destroy();
    }
  });

  it('a database that is down fails the timeline (503), not the health report', async () => {
    const knex = sqlite();
    const backend = await startHealthBackend({
      entities: [group, component('orders', 'team-a')],
      features: [mockServices.database.factory({ knex })],
    });
    try {
      expect((await get(backend.server, TIMELINE)).status).toBe(200);
      await knex.destroy();
      const res = await get(backend.server, TIMELINE);
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(/timeline database/);
      expect(
        (
          await get(
            backend.server,
            '/api/deployment-health/entity/default/component/orders',
          )
        ).status,
      ).toBe(200);
    } finally {
      await backend.stop();
    }
  });
});
