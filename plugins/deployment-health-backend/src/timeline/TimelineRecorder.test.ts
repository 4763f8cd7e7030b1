import { mockServices } from '@backstage/backend-test-utils';
import { deploymentHealthFixtures } from '@shipyard-platform/deployment-health-test-utils';
import knexFactory, { Knex } from 'knex';
import { entryLine } from '../__testUtils__/timeline';
import { ObjectIndex } from '../cluster/ObjectIndex';
import type { ClusterCache } from '../cluster/ClusterCache';
import { TimelineRecorder } from './TimelineRecorder';
import { TimelineStore } from './TimelineStore';

/*
 * The recorder on the real index, filled with the captured orders-api whose
 * rollout to 0.14.1 got stuck, and a real store on SQLite.
 */
const fixture = deploymentHealthFixtures['dev-orders-api-rollout-stuck'];
const service = {
  cluster: 'dev',
  namespace: 'fixtures-17',
  kubernetesId: 'orders-api',
};

function cacheWith(synced: { value: boolean }) {
  const index = new ObjectIndex();
  for (const key of [
    'deployments',
    'replicaSets',
    'pods',
    'hpas',
    'events',
  ] as const)
    for (const o of (fixture as any)[key] ?? []) index.upsert(key, o);
  return {
    cluster: { name: 'dev', environment: 'development' },
    sync: {
      get synced() {
        return synced.value;
      },
      error: () => undefined,
    },
    index,
  } as unknown as ClusterCache;
}

describe('TimelineRecorder', () => {
  let knex: Knex;
  let store: TimelineStore;
  const now = () => new Date(fixture.capturedAt);
  const list = () =>
    store.list({
      kubernetesId: 'orders-api',
      namespaces: ['fixtures-17'],
      limit: 10,
    });

  beforeEach(async () => {
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    store = await TimelineStore.create({ getClient: async () => knex });
  });
  afterEach(() => knex.destroy());

  it('records the stuck rollout and the status, and writes again only when they change', async () => {
    const recorder = new TimelineRecorder({
      caches: [cacheWith({ value: true })],
      store,
      logger: mockServices.logger.mock(),
      settleMs: 60_000,
      now,
    });
    const rollouts = jest.spyOn(store, 'recordRollouts');
    const statuses = jest.spyOn(store, 'recordStatus');
    recorder.notify({ ...service, cluster: 'dev' });
    await recorder.flush();
    const { entries } = await list();
    expect(entries.map(entryLine)).toEqual([
      '->Failed',
      'rollout 2 0.14.0>0.14.1 stuck',
    ]);
    const transition = entries[0];
    expect(
      transition.type === 'transition' && transition.transition.reasons,
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'ImagePullBackOff' }),
      ]),
    );

    // another watch event of the same objects: nothing new to write
    recorder.notify(service);
    await recorder.flush();
    expect(rollouts).toHaveBeenCalledTimes(1);
    expect(statuses).toHaveBeenCalledTimes(1);
    await recorder.stop();
  });

  it('records nothing from a cache that is not in sync, and catches up once it is', async () => {
    const synced = { value: false };
    const recorder = new TimelineRecorder({
      caches: [cacheWith(synced)],
      store,
      logger: mockServices.logger.mock(),
      settleMs: 10,
      now,
    });
    recorder.notify(service);
    await new Promise(r => setTimeout(r, 100));
    expect((await list()).entries).toEqual([]);
    synced.value = true;
    // no new change: the pending service is retried
    await new Promise(r => setTimeout(r, 100));
    expect((await list()).entries).toHaveLength(2);
    await recorder.stop();
  });

  it('logs a database failure and records on the next change', async () => {
    const logger = mockServices.logger.mock();
    const recorder = new TimelineRecorder({
      caches: [cacheWith({ value: true })],
      store,
      logger,
      settleMs: 60_000,
      now,
    });
    jest
      .spyOn(store, 'recordRollouts')
      .mockRejectedValueOnce(new Error('connection refused'));
    recorder.notify(service);
    await expect(recorder.flush()).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('connection refused'),
    );
    expect((await list()).entries).toEqual([]);
    recorder.notify(service);
    await recorder.flush();
    expect((await list()).entries).toHaveLength(2);
    await recorder.stop();
  });
});
