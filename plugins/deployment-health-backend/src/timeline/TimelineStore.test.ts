/*
 * The timeline store on SQLite (always) and on a real PostgreSQL: the one
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING names, or, with
 * SHIPYARD_INTEGRATION=1, the one scripts/services runs (started if needed;
 * SHIPYARD_PG_PORT chooses its port).
 *
 *   SHIPYARD_INTEGRATION=1 CI=true yarn backstage-cli package test --ci --watchAll=false src/timeline/TimelineStore.test.ts
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import type {
  RolloutChange,
  TimelineEntry,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { entryLine } from '../__testUtils__/timeline';
import { TimelineStore } from './TimelineStore';

const PG = 'POSTGRES_15';
const PG_ENV = 'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';
const wantPostgres = process.env.SHIPYARD_INTEGRATION === '1';
if (wantPostgres && !process.env[PG_ENV]) {
  // eslint-disable-next-line no-restricted-syntax -- test only, never bundled
  const services = path.resolve(__dirname, '../../../../scripts/services');
  execFileSync(services, ['up'], { stdio: 'ignore', timeout: 600_000 });
  const env = JSON.parse(
    execFileSync(services, ['env', '--json'], { encoding: 'utf8' }),
  );
  process.env[
    PG_ENV
  ] = `postgresql://${env.POSTGRES_USER}:${env.POSTGRES_PASSWORD}@${env.POSTGRES_HOST}:${env.POSTGRES_PORT}`;
}

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', PG],
  disableDocker: true,
});

const service = { cluster: 'dev', namespace: 'team-a', kubernetesId: 'orders' };
const rollout = (
  revision: number,
  result: RolloutChange['result'],
  extra: Partial<RolloutChange> = {},
): RolloutChange => ({
  workload: { kind: 'Deployment', name: 'orders', uid: 'u1' },
  revision,
  from: `1.${revision - 1}.0`,
  to: `1.${revision}.0`,
  fromImages: [`r/orders:1.${revision - 1}.0`],
  toImages: [`r/orders:1.${revision}.0`],
  startedAt: new Date(Date.UTC(2026, 11, 1, 0, revision)).toISOString(),
  result,
  ...extra,
});

async function storeOn(id: TestDatabaseId) {
  const knex = await databases.init(id);
  const database: DatabaseService = {
    getClient: async () => knex,
  };
  // two stores on one database: two backend replicas
  return {
    a: await TimelineStore.create(database),
    b: await TimelineStore.create(database),
    knex,
  };
}

const list = (store: TimelineStore, extra: object = {}) =>
  store.list({
    kubernetesId: 'orders',
    namespaces: ['team-a'],
    limit: 50,
    ...extra,
  });

const summary = (entries: TimelineEntry[]) => entries.map(entryLine);

describe('TimelineStore', () => {
  if (wantPostgres)
    it('runs on PostgreSQL too', () =>
      expect(databases.supports(PG)).toBe(true));

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    it('keeps one row per rollout revision however many replicas record it, and moves its result forward only', async () => {
      const { a, b } = await storeOn(databaseId);
      const now = new Date('2026-12-01T01:00:00Z');
      await Promise.all([
        a.recordRollouts(service, [rollout(2, 'progressing')], now),
        b.recordRollouts(service, [rollout(2, 'progressing')], now),
      ]);
      await a.recordRollouts(
        service,
        [rollout(2, 'stuck', { endedAt: '2026-12-01T00:05:00.000Z' })],
        now,
      );
      // a replica that still sees it progressing does not undo "stuck"
      await b.recordRollouts(service, [rollout(2, 'progressing')], now);
      const { entries } = await list(a);
      expect(summary(entries)).toEqual(['rollout 2 1.1.0>1.2.0 stuck']);
      expect(entries[0]).toMatchObject({
        cluster: 'dev',
        namespace: 'team-a',
        at: '2026-12-01T00:02:00.000Z',
        rollout: {
          from: '1.1.0',
          to: '1.2.0',
          endedAt: '2026-12-01T00:05:00.000Z',
        },
      });
      // rolled back overrides stuck
      await b.recordRollouts(service, [rollout(2, 'rolled back')], now);
      expect(summary((await list(a)).entries)).toEqual([
        'rollout 2 1.1.0>1.2.0 rolled back',
      ]);
    });

    it('a rollout without a known start is placed when first recorded, and stays there', async () => {
      const { a, b } = await storeOn(databaseId);
      const r = rollout(3, 'complete', { startedAt: undefined });
      await a.recordRollouts(service, [r], new Date('2026-12-01T02:00:00Z'));
      await b.recordRollouts(service, [r], new Date('2026-12-01T03:00:00Z'));
      const { entries } = await list(a);
      expect(entries.map(e => e.at)).toEqual(['2026-12-01T02:00:00.000Z']);
    });

    it('records a status transition once across replicas, and only when the status changes', async () => {
      const { a, b } = await storeOn(databaseId);
      const t = (m: number) => new Date(Date.UTC(2026, 11, 1, 1, m));
      const healthy = { status: 'Healthy' as const, reasons: [] };
      const failed = {
        status: 'Failed' as const,
        reasons: [
          {
            status: 'Failed' as const,
            code: 'ImagePullBackOff' as const,
            scope: 'pod' as const,
            message: 'cannot pull r/orders:1.2.0',
          },
        ],
      };
      expect(await a.recordStatus(service, healthy, t(0))).toBe(true);
      expect(await b.recordStatus(service, healthy, t(1))).toBe(false);
      // both replicas see the failure at once: one row
      const wrote = await Promise.all([
        a.recordStatus(service, failed, t(2)),
        b.recordStatus(service, failed, t(2)),
      ]);
      expect(wrote.filter(Boolean)).toHaveLength(1);
      await b.recordStatus(service, healthy, t(3));
      const { entries } = await list(a);
      expect(summary(entries)).toEqual([
        'Failed>Healthy',
        'Healthy>Failed',
        '->Healthy',
      ]);
      expect(entries[1]).toMatchObject({
        type: 'transition',
        at: t(2).toISOString(),
        transition: { reasons: [{ code: 'ImagePullBackOff' }] },
      });
    });

    it('pages newest first with a cursor, filtered by cluster and namespaces', async () => {
      const { a } = await storeOn(databaseId);
      const now = new Date('2026-12-02T00:00:00Z');
      await a.recordRollouts(
        service,
        [2, 3, 4, 5, 6].map(n => rollout(n, 'complete')),
        now,
      );
      await a.recordRollouts(
        { ...service, cluster: 'prod' },
        [rollout(2, 'complete')],
        now,
      );
      await a.recordRollouts(
        { ...service, namespace: 'team-b' },
        [rollout(7, 'complete')],
        now,
      );
      const first = await list(a, { cluster: 'dev', limit: 2 });
      expect(summary(first.entries)).toEqual([
        'rollout 6 1.5.0>1.6.0 complete',
        'rollout 5 1.4.0>1.5.0 complete',
      ]);
      const second = await list(a, {
        cluster: 'dev',
        limit: 2,
        before: first.nextBefore,
      });
      expect(summary(second.entries)).toEqual([
        'rollout 4 1.3.0>1.4.0 complete',
        'rollout 3 1.2.0>1.3.0 complete',
      ]);
      const third = await list(a, {
        cluster: 'dev',
        limit: 2,
        before: second.nextBefore,
      });
      expect(summary(third.entries)).toEqual([
        'rollout 2 1.1.0>1.2.0 complete',
      ]);
      expect(third.nextBefore).toBeUndefined();
      // both clusters, never another namespace's service
      expect((await list(a)).entries.map(e => e.cluster).sort()).toEqual([
        'dev',
        'dev',
        'dev',
        'dev',
        'dev',
        'prod',
      ]);
    });

    it('prunes entries past the retention, then all but the newest per service', async () => {
      const { a } = await storeOn(databaseId);
      const now = new Date('2026-12-02T00:00:00Z');
      await a.recordRollouts(
        service,
        [2, 3, 4, 5].map(n => rollout(n, 'complete')),
        now,
      );
      await a.recordRollouts(
        { ...service, cluster: 'prod' },
        [2, 3].map(n => rollout(n, 'complete')),
        now,
      );
      // revision 2 started 00:02; everything before 00:03 is too old
      expect(
        await a.prune({
          olderThan: new Date('2026-12-01T00:03:00Z'),
          maxPerService: 2,
        }),
      ).toBe(3); // dev 2, prod 2, then dev 3 over the budget
      expect(
        (await list(a)).entries.map(
          e => `${e.cluster} ${e.type === 'rollout' && e.rollout.revision}`,
        ),
      ).toEqual(['dev 5', 'dev 4', 'prod 3']);
    });

    it('records each rescale of an autoscaler once, from the replicas of the one before', async () => {
      const { a, b } = await storeOn(databaseId);
      const scale = (at: string, to: number) => ({
        at,
        change: {
          hpa: { name: 'orders', uid: 'h1' },
          target: { kind: 'Deployment', name: 'orders' },
          to,
          minReplicas: 2,
          maxReplicas: 6,
        },
      });
      await Promise.all([
        a.recordScale(service, scale('2026-12-01T01:00:00.000Z', 2)),
        b.recordScale(service, scale('2026-12-01T01:00:00.000Z', 2)),
      ]);
      await a.recordScale(service, scale('2026-12-01T01:10:00.000Z', 5));
      await b.recordScale(service, scale('2026-12-01T01:10:00.000Z', 5));
      const { entries } = await list(a);
      expect(
        entries.map(
          e => e.type === 'scale' && [e.at, e.scale.from, e.scale.to],
        ),
      ).toEqual([
        ['2026-12-01T01:10:00.000Z', 2, 5],
        ['2026-12-01T01:00:00.000Z', undefined, 2],
      ]);
    });

    it('keeps the last transition of a service however old, so the next one starts from it', async () => {
      const { a } = await storeOn(databaseId);
      const healthy = { status: 'Healthy' as const, reasons: [] };
      const degraded = { status: 'Degraded' as const, reasons: [] };
      await a.recordStatus(service, degraded, new Date('2026-10-01T00:00:00Z'));
      await a.recordStatus(service, healthy, new Date('2026-10-02T00:00:00Z'));
      await a.recordRollouts(
        service,
        [2, 3].map(n => rollout(n, 'complete')),
        new Date(),
      );
      await a.prune({
        olderThan: new Date('2026-11-01T00:00:00Z'),
        maxPerService: 1,
      });
      expect(summary((await list(a)).entries)).toEqual([
        'rollout 3 1.2.0>1.3.0 complete',
        'Degraded>Healthy',
      ]);
      await a.recordStatus(service, degraded, new Date('2026-12-03T00:00:00Z'));
      expect(summary((await list(a)).entries)[0]).toBe('Healthy>Degraded');
    });

    it('leaves out a row it cannot read instead of failing the page', async () => {
      const { a, knex } = await storeOn(databaseId);
      await a.recordRollouts(service, [rollout(2, 'complete')], new Date());
      await a.recordRollouts(service, [rollout(3, 'complete')], new Date());
      await knex('timeline_entries')
        .where('entry_key', 'rollout/u1/2')
        .update({ data: '{not json' });
      expect(summary((await list(a)).entries)).toEqual([
        'rollout 3 1.2.0>1.3.0 complete',
      ]);
    });
  });
});
