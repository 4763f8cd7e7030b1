import { mockServices } from '@backstage/backend-test-utils';
import { KubeRequestError } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { SyncStatus } from './SyncStatus';

const cluster = { name: 'c', environment: 'production' } as any;
const timeout = new KubeRequestError('timeout', 'no response within 2s');

function status(configError?: string) {
  const logger = mockServices.logger.mock();
  const sync = new SyncStatus(
    { ...cluster, configError },
    ['Pod', 'Event'],
    1000,
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
    sync.heard('Pod', true); // a server that sends bookmarks
    const now = Date.now() + 5000;
    expect(sync.error(now)).toMatchObject({
      type: 'stale',
      message: 'no contact with the API server for 5s',
    });
    sync.failed('Pod', timeout, 1000);
    sync.failed('Event', timeout, 1000);
    expect(sync.error(now)?.message).toBe(
      'no response within 2s; cached data is 5s old',
    );
  });

  it('reports a misconfigured cluster', () => {
    expect(status('missing url').sync.error()).toMatchObject({
      type: 'misconfigured',
      message: 'missing url',
    });
  });
});
