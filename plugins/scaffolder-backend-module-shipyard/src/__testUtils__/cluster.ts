import { ConfigReader } from '@backstage/config';
import {
  ConfigShipyardClusters,
  ShipyardClustersService,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { repoRoot, startTestCluster } from '@shipyard-platform/test-cluster';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createShipyardKubernetesNamespaceAction } from '../actions/kubernetesNamespace';
import { teamItAccess } from './org';

/**
 * Starts (or reuses) the local cluster `name` (startTestCluster) and returns
 * the real -node cluster service configured as the portal is: the read-only
 * health-reader token for reads and the separate deployer token for writes,
 * so the tests prove that those identities' RBAC is enough.
 */
export async function localClusterService(
  name = 'dev',
): Promise<ShipyardClustersService> {
  const cluster = await startTestCluster(name);
  return ConfigShipyardClusters.fromConfig(
    new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name,
                url: cluster.server,
                environment: cluster.environment,
                serviceAccountTokenFile: cluster.tokenFile,
                deployerServiceAccountTokenFile: cluster.deployerTokenFile,
                caFile: cluster.caFile,
              },
            ],
          },
        ],
      },
    }),
  );
}

/**
 * Runs the repository's pinned kubectl against the cluster. Synchronous (unlike
 * TestCluster.kubectl) for the many tests that call it inline.
 */
export function kubectl(name: string, ...args: string[]): string {
  return execFileSync(path.join(repoRoot, 'scripts/cluster'), [
    'kubectl',
    name,
    ...args,
  ]).toString();
}

/** Deletes a test namespace on the local cluster, without waiting. */
export function deleteNamespace(name: string, namespace: string) {
  kubectl(
    name,
    'delete',
    'namespace',
    namespace,
    '--wait=false',
    '--ignore-not-found',
  );
}

/** A namespace of `team-it` on the local dev cluster, as templates prepare it (shipyard:kubernetes:namespace, by team-it's member `tester`; see teamItAccess). */
export async function prepareTeamNamespace(
  service: ShipyardClustersService,
  namespace: string,
) {
  const { catalog, user, tenancy } = await teamItAccess([namespace]);
  await createShipyardKubernetesNamespaceAction({
    clusters: service,
    catalog,
    config: { tenancy },
  }).handler(
    createMockActionContext({
      input: { namespace, team: 'team-it', clusters: ['dev'] },
      user,
    }) as any,
  );
}

/** A temporary workspace holding a copy of the good-service fixture (Dockerfile, compose, chart). */
export async function goodServiceWorkspace(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shipyard-ws-'));
  await fs.cp(path.resolve(__dirname, '../__fixtures__/good-service'), dir, {
    recursive: true,
  });
  return dir;
}

/**
 * For the describe block it is called in: before its tests, a `team-it`
 * namespace `<prefix>-<time>` on the local dev cluster and a good-service
 * workspace; after them, both removed. The fields are set in its beforeAll.
 */
export function localTeamNamespace(prefix: string) {
  const local = {
    namespace: `${prefix}-${Date.now().toString(36)}`,
    service: undefined as unknown as ShipyardClustersService,
    workspacePath: '',
  };
  beforeAll(async () => {
    local.service = await localClusterService('dev');
    local.workspacePath = await goodServiceWorkspace();
    // the namespace as templates prepare it (Pod Security restricted, quota, limits)
    await prepareTeamNamespace(local.service, local.namespace);
  });
  afterAll(async () => {
    deleteNamespace('dev', local.namespace);
    await fs.rm(local.workspacePath, { recursive: true, force: true });
  });
  return local;
}

/** A cluster service stub over fixed clusters (no credentials). */
export function stubClusterService(
  names: string[],
  kubeConfig: any = {},
): ShipyardClustersService {
  return {
    listClusters: async () =>
      names.map(n => ({
        name: n,
        environment: n,
        url: `https://${n}.example:6443`,
        source: 'config' as const,
        skipTLSVerify: false,
      })),
    getCluster: async n => ({
      name: n,
      environment: n,
      url: `https://${n}.example:6443`,
      source: 'config',
      skipTLSVerify: false,
    }),
    getKubeConfig: async () => kubeConfig,
  };
}
