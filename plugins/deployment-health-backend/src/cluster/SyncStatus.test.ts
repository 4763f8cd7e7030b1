import { mockServices } from '@backstage/backend-test-utils';
import { KubeRequestError } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { SyncStatus } from './SyncStatus';

const cluster = { name: 'c', environment: 'production' } as any;
const timeout = new KubeRequestError('timeout', 'no response within 2s');
const BOOKMARK_SILENCE_MS = 90_000;

function status(configError?: string) {
  const logger = mockServices.logger.mock();
  const sync = new SyncStatus(
    { ...cluster, configError },
    ['Pod', 'Event'],
    1000,
    BOOKMARK_SILENCE_MS,
    logger,
  );
  return { sync, logger };
}

// How real clusters' failures, staleness and recoveries show through the
// whole backend is tested in plugin.test.ts and the integration tests.
describe('SyncStatus', () => {
  it('is syncing until every kind has been listed', () => {
    const { sync } = status();
    sync.listed('Pod');
    expect(sync.status(Date.now(), {}).state).toBe('syncing');
    sync.listed('Event');
    expect(sync.status(Date.now(), {})).toMatchObject({
      name: 'c',
      environment: 'production',
      state: 'ok',
    });
  });

  it('a refused optional kind (nodes without RBAC) is one warning, not a cluster error', () => {
    const logger = mockServices.logger.mock();
    const sync = new SyncStatus(
      cluster,
      ['Pod', 'Node'],
      1000,
      BOOKMARK_SILENCE_MS,
      logger,
      new Map([['Node', 'list/watch nodes']]),
    );
    const forbidden = new KubeRequestError('forbidden', 'HTTP 403', 403);
    sync.listed('Pod');
    sync.failed('Node', forbidden, 1000);
    sync.failed('Node', forbidden, 2000);
    expect(sync.isForbidden('Node')).toBe(true);
    expect(sync.status(Date.now(), {}).state).toBe('ok');
    expect(sync.error()).toBeUndefined();
    expect(sync.lastSyncedAt()).toBeDefined();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('list/watch nodes'),
    );
    // a required kind refused is the cluster's error, as before
    sync.failed('Pod', forbidden, 1000);
    expect(sync.status(Date.now(), {}).state).toBe('error');
    // granted later: readable again, without a restart
    sync.listed('Pod');
    sync.listed('Node');
    expect(sync.isForbidden('Node')).toBe(false);
  });

  it('keeps an error while a retry lists, names the failing kinds, and logs each error once', () => {
    const { sync, logger } = status();
    sync.listed('Event');
    sync.failed('Pod', timeout, 1000);
    sync.listing('Pod');
    sync.failed('Pod', timeout, 2000);
    expect(sync.error()).toMatchObject({
      type: 'timeout',
      message: 'no response within 2s (Pod)',
    });
    expect(sync.status(Date.now(), {}).state).toBe('error');
    expect(logger.warn).toHaveBeenCalledTimes(1);
    sync.listed('Pod');
    expect(sync.error()).toBeUndefined();
    expect(logger.info).toHaveBeenCalledWith('list/watch recovered');
  });

  it('says how old the cached data is once it is stale', () => {
    const { sync } = status();
    sync.listed('Pod');
    sync.listed('Event');
    const now = Date.now() + 5000;
    // an open watch is not "in sync now" by itself: only what confirms it counts
    expect(sync.error(now)).toMatchObject({
      type: 'stale',
      message: 'not confirmed in sync with the API server for 5s',
    });
    expect(sync.status(now, {})).toMatchObject({ state: 'error', stale: true });
    sync.failed('Pod', timeout, 1000);
    sync.failed('Event', timeout, 1000);
    expect(sync.error(now)?.message).toBe(
      'no response within 2s; cached data is 5s old',
    );
  });

  it('is confirmed by an answered liveness check while the watches are open', () => {
    const { sync } = status();
    const listedAt = Date.now();
    sync.listed('Pod');
    sync.listed('Event');
    const sentAt = listedAt + 4000;
    sync.alive(sentAt, ['Pod', 'Event']);
    expect(sync.lastSyncedAt()).toBe(sentAt);
    expect(sync.status(sentAt + 500, {})).toMatchObject({
      state: 'ok',
      lastSyncedAt: new Date(sentAt).toISOString(),
    });
    expect(sync.status(sentAt + 500, {}).stale).toBeUndefined();
    // a kind whose watch was found not to deliver is not confirmed
    sync.alive(sentAt + 1000, ['Event']);
    expect(sync.lastSyncedAt()).toBe(sentAt);
    // nor one whose watch is not open (a relist under way)
    sync.listing('Pod');
    sync.alive(sentAt + 3000, ['Pod', 'Event']);
    expect(sync.lastSyncedAt()).toBe(sentAt);
  });

  it('does not confirm a watch that has missed its bookmarks', () => {
    const { sync } = status();
    sync.listed('Pod');
    sync.listed('Event');
    sync.heard('Pod', true); // this server sends bookmarks
    const heardAt = Date.now();
    // the server answers, but the Pod watch has been silent too long: dead
    const sentAt = heardAt + BOOKMARK_SILENCE_MS + 1000;
    sync.alive(sentAt, ['Pod', 'Event']);
    expect(sync.lastSyncedAt()).toBeLessThanOrEqual(heardAt);
    expect(sync.error(sentAt)?.type).toBe('stale');
    // the Event watch never sent a bookmark: the answer confirms it
    sync.heard('Pod', true);
    const later = Date.now();
    sync.alive(later, ['Pod', 'Event']);
    expect(sync.lastSyncedAt()).toBe(later);
  });

  it('reports a misconfigured cluster', () => {
    expect(status('missing url').sync.error()).toMatchObject({
      type: 'misconfigured',
      message: 'missing url',
    });
  });
});
