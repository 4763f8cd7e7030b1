import { ConfigReader } from '@backstage/config';
import {
  ConfigShipyardClusters,
  ShipyardClustersService,
} from '@internal/backstage-plugin-deployment-health-node';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Integration tests run only with SHIPYARD_INTEGRATION=1 (they need scripts/cluster). */
export const INTEGRATION = process.env.SHIPYARD_INTEGRATION === '1';
export const describeIntegration = INTEGRATION ? describe : describe.skip;

const REPO_ROOT = path.resolve(__dirname, '../../../..');

/**
 * Starts (or reuses) the local `dev` cluster with `scripts/cluster up dev` and
 * returns the real -node cluster service configured as the portal is: the
 * read-only health-reader token for reads and the separate deployer token for
 * writes, so the tests prove that those identities' RBAC is enough.
 */
export function localClusterService(name = 'dev'): {
  service: ShipyardClustersService;
  kubeconfig: string;
} {
  execFileSync(path.join(REPO_ROOT, 'scripts/cluster'), ['up', name], {
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 600_000,
  });
  const env = JSON.parse(
    execFileSync(path.join(REPO_ROOT, 'scripts/cluster'), [
      'env',
      name,
      '--json',
    ]).toString(),
  );
  const service = ConfigShipyardClusters.fromConfig(
    new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name,
                url: env.server,
                environment: env.environment,
                serviceAccountTokenFile: env.tokenFile,
                deployerServiceAccountTokenFile: env.deployerTokenFile,
                caFile: env.caFile,
              },
            ],
          },
        ],
      },
    }),
  );
  return { service, kubeconfig: env.kubeconfig };
}

/** Runs the repository's pinned kubectl against the cluster. */
export function kubectl(name: string, ...args: string[]): string {
  return execFileSync(path.join(REPO_ROOT, 'scripts/cluster'), [
    'kubectl',
    name,
    ...args,
  ]).toString();
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
