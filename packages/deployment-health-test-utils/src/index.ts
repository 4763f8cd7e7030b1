/**
 * Real object dumps from the local clusters (src/__fixtures__, see capture.sh)
 * and ready-made health reports computed from them by the real rules, for the
 * tests of the deployment-health packages. A private workspace package, so the
 * dumps never ship in a published tarball.
 *
 * Also the helpers every package's tests share: the integration-test gate,
 * `waitFor`, and a fake Kubernetes HTTP API for unit tests.
 *
 * @packageDocumentation
 */
import {
  clusterHealth,
  ClusterHealth,
  ClustersResponse,
  entityHealth,
  EntityHealthResponse,
  GroupHealthResponse,
  ServiceObjects,
  worstStatus,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import type { V1Node } from '@kubernetes/client-node';

export * from './actionlint';
export * from './fakeKubeApi';
export * from './integration';
export * from './kubeScore';
export * from './manifests';
export * from './waitFor';

/** Raw object dumps, keyed by fixture name (cluster-service-situation). @public */
export const deploymentHealthFixtures: Record<
  string,
  ServiceObjects & { capturedAt: string }
> = {
  'dev-payments-api-healthy': require('./__fixtures__/dev-payments-api-healthy.json'),
  'dev-catalog-api-imagepull': require('./__fixtures__/dev-catalog-api-imagepull.json'),
  'dev-notifications-unready': require('./__fixtures__/dev-notifications-unready.json'),
  'prod-catalog-api-healthy': require('./__fixtures__/prod-catalog-api-healthy.json'),
  'prod-payments-api-healthy': require('./__fixtures__/prod-payments-api-healthy.json'),
  'prod-ledger-worker-crashloop': require('./__fixtures__/prod-ledger-worker-crashloop.json'),
  'prod-auth-gateway-oomkilled': require('./__fixtures__/prod-auth-gateway-oomkilled.json'),
  'prod-checkout-api-deadline': require('./__fixtures__/prod-checkout-api-deadline.json'),
  'prod-storefront-web-hpa-max': require('./__fixtures__/prod-storefront-web-hpa-max.json'),
  'dev-orders-api-healthy': require('./__fixtures__/dev-orders-api-healthy.json'),
  'dev-orders-api-rollout-progressing': require('./__fixtures__/dev-orders-api-rollout-progressing.json'),
  'dev-orders-api-rollout-stuck': require('./__fixtures__/dev-orders-api-rollout-stuck.json'),
  'prod-orders-api-behind': require('./__fixtures__/prod-orders-api-behind.json'),
  'dev-ledger-db-mixed': require('./__fixtures__/dev-ledger-db-mixed.json'),
  'dev-plain-worker-unlabeled': require('./__fixtures__/dev-plain-worker-unlabeled.json'),
};

/** A cluster's Nodes as captured (see capture-nodes.sh), with its API server's version. @public */
export interface NodeFixture {
  capturedAt: string;
  serverVersion: string;
  nodes: V1Node[];
}

/**
 * Real Node dumps of a local kwok cluster, keyed by situation: all healthy;
 * sick as kwok makes them (node-1 NotReady, node-2 under memory pressure,
 * node-0 cordoned); node-0 with a NoExecute taint (`kubectl taint`).
 *
 * @public
 */
export const nodeFixtures: Record<
  'nodes-healthy' | 'nodes-sick' | 'nodes-noexecute',
  NodeFixture
> = {
  'nodes-healthy': require('./__fixtures__/nodes-healthy.json'),
  'nodes-sick': require('./__fixtures__/nodes-sick.json'),
  'nodes-noexecute': require('./__fixtures__/nodes-noexecute.json'),
};

const CLUSTERS = {
  dev: { name: 'dev', environment: 'development' },
  prod: { name: 'prod', environment: 'production' },
};

/** Health of one fixture in its cluster, as of capture time. @public */
export function fixtureClusterHealth(name: string): ClusterHealth {
  const f = deploymentHealthFixtures[name];
  const cluster = name.startsWith('prod-') ? CLUSTERS.prod : CLUSTERS.dev;
  return clusterHealth(
    cluster,
    f,
    { lastSyncedAt: f.capturedAt },
    { now: new Date(f.capturedAt) },
  );
}

const GENERATED_AT = '2026-11-27T09:46:00.000Z';

/** GET /entity response for a healthy service in two clusters. @public */
export const exampleHealthyEntity: EntityHealthResponse = {
  ...entityHealth('component:default/catalog-api', [
    fixtureClusterHealth('prod-catalog-api-healthy'),
  ]),
  generatedAt: GENERATED_AT,
};

/** GET /entity response: crash-looping in prod, one cluster unreachable. @public */
export const exampleFailedEntity: EntityHealthResponse = {
  ...entityHealth('component:default/ledger-worker', [
    fixtureClusterHealth('prod-ledger-worker-crashloop'),
    {
      ...clusterHealth(
        CLUSTERS.dev,
        {},
        {
          error: {
            type: 'unreachable',
            message: 'connect ECONNREFUSED 127.0.0.1:26443',
            since: GENERATED_AT,
          },
        },
      ),
    },
  ]),
  generatedAt: GENERATED_AT,
};

/** GET /clusters response with one healthy and one failing cluster. @public */
export const exampleClusters: ClustersResponse = {
  clusters: [
    {
      name: 'dev',
      environment: 'development',
      state: 'error',
      error: {
        type: 'unreachable',
        message: 'connect ECONNREFUSED 127.0.0.1:26443',
        since: GENERATED_AT,
      },
    },
    {
      name: 'prod',
      environment: 'production',
      state: 'ok',
      lastSyncedAt: GENERATED_AT,
      objectCounts: { Deployment: 7, Pod: 18 },
    },
  ],
};

/** GET /group response for a team owning several services. @public */
export const exampleGroupHealth: GroupHealthResponse = (() => {
  const entities = [
    {
      ...entityHealth('component:default/payments-api', [
        fixtureClusterHealth('dev-payments-api-healthy'),
        fixtureClusterHealth('prod-payments-api-healthy'),
      ]),
      owner: 'group:default/team-payments',
    },
    {
      ...entityHealth('component:default/ledger-worker', [
        fixtureClusterHealth('prod-ledger-worker-crashloop'),
      ]),
      owner: 'group:default/team-payments',
    },
    {
      ...entityHealth('component:default/checkout-api', [
        fixtureClusterHealth('prod-checkout-api-deadline'),
      ]),
      owner: 'group:default/team-storefront',
    },
  ];
  return {
    groupRef: 'group:default/team-payments',
    groupRefs: ['group:default/team-payments', 'group:default/team-storefront'],
    status: worstStatus(entities.map(e => e.status)),
    entities,
    clusters: exampleClusters.clusters,
    generatedAt: GENERATED_AT,
  };
})();
