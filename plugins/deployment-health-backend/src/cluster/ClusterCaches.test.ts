import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  ConfigShipyardClusters,
  ShipyardCluster,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { readOptions } from '../options';
import { ClusterCaches } from './ClusterCaches';

const cluster = (name: string, url: string): ShipyardCluster => ({
  name,
  environment: name,
  url,
  source: 'catalog',
  skipTLSVerify: false,
});

describe('ClusterCaches', () => {
  // never started: sync only builds and drops caches, no watch runs
  const caches = new ClusterCaches(
    ConfigShipyardClusters.fromConfig(new ConfigReader({})),
    readOptions(new ConfigReader({})),
    mockServices.logger.mock(),
  );

  it('adds, keeps, replaces and removes caches to match the cluster list', () => {
    caches.sync([cluster('a', 'https://a'), cluster('b', 'https://b')]);
    const [a, b] = caches.list;
    expect(caches.list.map(c => c.cluster.name)).toEqual(['a', 'b']);

    caches.sync([cluster('a', 'https://a'), cluster('b', 'https://b2')]);
    expect(caches.list[0]).toBe(a); // unchanged: the same cache, still watching
    expect(caches.list[1]).not.toBe(b); // changed URL: a new cache
    expect(caches.list[1].cluster.url).toBe('https://b2');

    const list = caches.list;
    caches.sync([cluster('b', 'https://b2')]);
    expect(caches.list).toBe(list); // readers hold this array
    expect(caches.list.map(c => c.cluster.name)).toEqual(['b']);
  });
});
