import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';
import {
  ClusterAccess,
  ClusterDefinition,
  makeKubeConfig,
  readClusterDefinitions,
  ShipyardCluster,
} from './clusterConfig';

/**
 * The clusters Shipyard knows about, and authenticated clients for them.
 *
 * Shared by the deployment-health backend and the scaffolder actions module,
 * so both read cluster config the same way.
 *
 * @public
 */
export interface ShipyardClustersService {
  /** All configured clusters, including misconfigured ones (see `configError`). No credentials. */
  listClusters(): Promise<ShipyardCluster[]>;
  /** A single cluster by name; throws NotFoundError for unknown names. */
  getCluster(name: string): Promise<ShipyardCluster>;
  /**
   * A ready-to-use KubeConfig (current context = this cluster), e.g. for
   * `kc.makeApiClient(CoreV1Api)`. Throws NotFoundError for unknown names and
   * Error for misconfigured clusters or unreadable token/CA files.
   *
   * `access: 'deploy'` asks for the cluster's write identity (scaffolder
   * actions); it throws NotAllowedError when none is configured rather than
   * falling back to the read-only token.
   */
  getKubeConfig(name: string, access?: ClusterAccess): Promise<KubeConfig>;
}

/**
 * The default {@link ShipyardClustersService}: clusters from app config.
 *
 * @public
 */
export class ConfigShipyardClusters implements ShipyardClustersService {
  /**
   * Reads `kubernetes.clusterLocatorMethods` and
   * `deploymentHealth.kubeconfigContexts`; a bad cluster entry is kept with
   * `configError` instead of throwing.
   */
  static fromConfig(config: Config): ConfigShipyardClusters {
    return new ConfigShipyardClusters(readClusterDefinitions(config));
  }

  private constructor(private readonly defs: ClusterDefinition[]) {}

  /** {@inheritDoc ShipyardClustersService.listClusters} */
  async listClusters(): Promise<ShipyardCluster[]> {
    return this.defs.map(toPublic);
  }

  /** {@inheritDoc ShipyardClustersService.getCluster} */
  async getCluster(name: string): Promise<ShipyardCluster> {
    return toPublic(this.find(name));
  }

  /** {@inheritDoc ShipyardClustersService.getKubeConfig} */
  async getKubeConfig(
    name: string,
    access: ClusterAccess = 'read',
  ): Promise<KubeConfig> {
    return makeKubeConfig(this.find(name), access);
  }

  private find(name: string): ClusterDefinition {
    const def = this.defs.find(d => d.name === name);
    if (!def) throw new NotFoundError(`unknown cluster '${name}'`);
    return def;
  }
}

// Copy only the public fields: anything added to ClusterDefinition later
// (credentials) must not leak through listClusters by accident.
function toPublic(def: ClusterDefinition): ShipyardCluster {
  const { name, title, environment, url, source, skipTLSVerify, configError } =
    def;
  return {
    name,
    ...(title ? { title } : {}),
    environment,
    url,
    source,
    skipTLSVerify,
    ...(configError ? { configError } : {}),
  };
}

/**
 * Service ref for {@link ShipyardClustersService}. The default factory reads
 * `kubernetes.clusterLocatorMethods` and `deploymentHealth.kubeconfigContexts`;
 * replace it with your own factory to discover clusters differently.
 *
 * @public
 */
export const shipyardClustersServiceRef =
  createServiceRef<ShipyardClustersService>({
    id: 'shipyard.clusters',
    scope: 'plugin',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: { config: coreServices.rootConfig, logger: coreServices.logger },
        async factory({ config, logger }) {
          const clusters = ConfigShipyardClusters.fromConfig(config);
          for (const c of await clusters.listClusters()) {
            if (c.configError) {
              logger.warn(
                `Cluster '${c.name}' is misconfigured: ${c.configError}`,
              );
            }
          }
          return clusters;
        },
      }),
  });
