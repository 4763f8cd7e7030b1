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

  it('is 404 when switched off, and leaves the database untouched', async () => {
    const knex = sqlite();
    const backend = await startHealthBackend({
      entities: [group, component('orders', 'team-a')],
      deploymentHealth: { timeline: { enabled: false } },
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
