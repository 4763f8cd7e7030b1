import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';
import type { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';
import {
  ClusterAccess,
  ClusterDefinition,
  makeKubeConfig,
  readClusterDefinitions,
  ShipyardCluster,
} from './clusterConfig';
import {
  authConfigError,
  AuthStrategies,
  clusterCredential,
} from './auth/clusterCredential';
import { shipyardAuthStrategyServiceRef } from './auth/authStrategyService';
import { SERVICE_ACCOUNT } from './auth/providers';
import { loadUpstreamStrategies } from './auth/upstreamStrategies';

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
 * Options of {@link ConfigShipyardClusters.fromConfig}.
 *
 * @public
 */
export interface ConfigShipyardClustersOptions {
  /** Strategies by `authProvider`, for the providers other than `serviceAccount`. */
  authStrategies?: Record<string, AuthenticationStrategy>;
  /**
   * Prefix of the pod's service account files for `inCluster` clusters, as
   * client-node's `loadFromCluster(pathPrefix)`; for tests. Default: none.
   */
  inClusterPathPrefix?: string;
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
   *
   * `authStrategies` serve the `authProvider`s other than `serviceAccount`
   * (the default factory passes upstream's, loaded when a cluster uses
   * them, and those added with `shipyardAuthStrategyServiceRef`); a cluster
   * whose provider has none is misconfigured.
   */
  static fromConfig(
    config: Config,
    options: ConfigShipyardClustersOptions = {},
  ): ConfigShipyardClusters {
    const strategies = options.authStrategies ?? {};
    const defs = readClusterDefinitions(config, {
      inClusterPathPrefix: options.inClusterPathPrefix,
    }).map(def => {
      const configError = authConfigError(def, strategies);
      return configError ? { ...def, configError } : def;
    });
    return new ConfigShipyardClusters(defs, strategies);
  }

  private constructor(
    private readonly defs: ClusterDefinition[],
    private readonly strategies: AuthStrategies,
  ) {}

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
    const def = this.find(name);
    return makeKubeConfig(
      def,
      await clusterCredential(def, access, this.strategies),
    );
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
 * Added strategies first, then upstream's for the providers still missing
 * (loaded only if a cluster uses one). `serviceAccount` stays Shipyard's own:
 * its token files, deployer identity and refusal to send the pod's token are
 * what the rest of Shipyard relies on.
 */
async function buildAuthStrategies(
  config: Config,
  logger: LoggerService,
  added: Array<{ authProvider: string; strategy: AuthenticationStrategy }>,
): Promise<AuthStrategies> {
  const own: AuthStrategies = {};
  for (const { authProvider, strategy } of added) {
    if (authProvider === SERVICE_ACCOUNT || own[authProvider]) {
      const why = own[authProvider]
        ? 'was added twice'
        : 'cannot be added (Shipyard serves it)';
      throw new Error(
        `shipyardAuthStrategyServiceRef: a strategy for authProvider '${authProvider}' ${why}`,
      );
    }
    own[authProvider] = strategy;
  }
  const used = readClusterDefinitions(config).flatMap(d =>
    d.auth === 'config' && !own[d.authProvider] ? [d.authProvider] : [],
  );
  return {
    ...(await loadUpstreamStrategies(used, { config, logger })),
    ...own,
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
        deps: {
          config: coreServices.rootConfig,
          logger: coreServices.logger,
          added: shipyardAuthStrategyServiceRef,
        },
        async factory({ config, logger, added }) {
          const authStrategies = await buildAuthStrategies(
            config,
            logger,
            added,
          );
          const clusters = ConfigShipyardClusters.fromConfig(config, {
            authStrategies,
          });
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
