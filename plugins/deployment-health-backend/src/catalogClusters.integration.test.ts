/*
 * Clusters located in the catalog (`type: catalog`), against a REAL
 * kube-apiserver (scripts/cluster, a cluster of its own: auth-it). Runs with
 * SHIPYARD_INTEGRATION=1 (scripts/test, CI):
 *
 *   SHIPYARD_INTEGRATION=1 yarn backstage-cli package test --watchAll=false src/catalogClusters.integration.test.ts
 *
 * A Resource of type kubernetes-cluster is added to a running backend's
 * catalog: its cluster appears and its watch syncs; one whose API server
 * host is not allowed is refused; removed again, the cluster disappears and
 * its watch stops (no more credentials asked for).
 */
import {
  createServiceFactory,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { ClustersResponse } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { shipyardAuthStrategyServiceRef } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import {
  describeIntegration,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import { startTestCluster, TestCluster } from '@shipyard-platform/test-cluster';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { startHealthBackend } from './__testUtils__/backend';

const CLUSTER = 'auth-it';
const AUTH_PROVIDER = 'shipyard-it-reader';

jest.setTimeout(300_000);

/**
 * The in-memory catalog of backend-test-utils (real entity filters), whose
 * entities the test can replace while the backend runs.
 */
function changingCatalog(): {
  factory: ServiceFactory;
  set(entities: object[]): void;
} {
  let inner = catalogServiceMock({ entities: [] });
  // Methods of whichever client is current; nothing else (not even `then`).
  const catalog = new Proxy(
    {},
    {
      get: (_, key) =>
        typeof (inner as any)[key] === 'function'
          ? (...args: any[]) => (inner as any)[key](...args)
          : undefined,
    },
  );
  return {
    factory: createServiceFactory({
      service: catalogServiceRef,
      deps: {},
      factory: () => catalog as any,
    }),
    set(entities) {
      inner = catalogServiceMock({ entities: entities as any });
    },
  };
}

const clusterResource = (name: string, server: string, caData: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'kubernetes.io/api-server': server,
      'kubernetes.io/api-server-certificate-authority': caData,
      'kubernetes.io/auth-provider': AUTH_PROVIDER,
    },
  },
  spec: { type: 'kubernetes-cluster', owner: 'team-platform' },
});

describeIntegration('clusters located in the catalog', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster(CLUSTER);
  });

  it('starts and stops watching as Resources are added to and removed from the catalog', async () => {
    const catalog = changingCatalog();
    // An adopter's strategy (here: the reader's token), counting its calls.
    let credentialsAsked = 0;
    const strategy = createServiceFactory({
      service: shipyardAuthStrategyServiceRef,
      deps: {},
      factory: () => ({
        authProvider: AUTH_PROVIDER,
        strategy: {
          getCredential: async () => {
            credentialsAsked++;
            return {
              type: 'bearer token' as const,
              token: cluster.readerToken,
            };
          },
          validateCluster: () => [],
          presentAuthMetadata: () => ({}),
        },
      }),
    });
    const backend = await startHealthBackend({
      clusterLocatorMethods: [
        {
          type: 'catalog',
          allowedApiServerHosts: ['127.0.0.1'],
          refreshIntervalSeconds: 1,
        },
      ],
      deploymentHealth: { watchTimeoutSeconds: 2 },
      entities: [],
      catalog: catalog.factory,
      features: [strategy],
    });
    const clusters = async () =>
      (
        (
          await request(backend.server)
            .get('/api/deployment-health/clusters')
            .set('Authorization', mockCredentials.user.header())
        ).body as ClustersResponse
      ).clusters;
    try {
      expect(await clusters()).toEqual([]);

      const { hostname, port } = new URL(cluster.server);
      catalog.set([
        clusterResource('catalog-it', cluster.server, cluster.caData),
        clusterResource(
          'catalog-evil',
          `https://attacker.example.com:${port}`,
          cluster.caData,
        ),
      ]);
      expect(hostname).toBe('127.0.0.1');
      const synced = await waitFor(
        async () => {
          const c = (await clusters()).find(x => x.name === 'catalog-it');
          return c?.state === 'ok' && c;
        },
        { timeoutMs: 60_000, what: 'the catalog cluster to sync' },
      );
      expect(synced.objectCounts?.Deployment).toBeGreaterThanOrEqual(0);
      expect(credentialsAsked).toBeGreaterThan(0);
      const evil = (await clusters()).find(x => x.name === 'catalog-evil');
      expect(evil?.error).toMatchObject({
        type: 'misconfigured',
        message:
          "Resource 'catalog-evil': API server host 'attacker.example.com' is not in kubernetes.clusterLocatorMethods[0].allowedApiServerHosts",
      });

      catalog.set([]);
      await waitFor(async () => (await clusters()).length === 0, {
        timeoutMs: 30_000,
        what: 'the removed catalog clusters to disappear',
      });
      // Its watch is stopped: no more credentials are asked for, while a
      // running watch would re-open (and ask) every 2 s.
      await sleep(1_000);
      const asked = credentialsAsked;
      await sleep(12_000);
      expect(credentialsAsked).toBe(asked);
    } finally {
      await backend.stop();
    }
  });
});
