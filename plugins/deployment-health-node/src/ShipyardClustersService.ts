import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';
import type { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';
import {
  ClusterAccess,
  ClusterDefinition,
  ShipyardCluster,
} from './config/clusterDefinition';
import { makeKubeConfig } from './config/makeKubeConfig';
import { readClusterDefinitions } from './config/readClusterDefinitions';
import {
  authConfigError,
  AuthStrategies,
  clusterCredential,
} from './auth/clusterCredential';
import {
  CatalogClusterSource,
  readCatalogLocators,
} from './catalog/catalogClusters';
import { guardExecPlugin } from './auth/execPlugin';

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
  /**
   * Reads the Resource entities of type `kubernetes-cluster`, for a
   * `type: catalog` locator (the default factory reads the catalog with the
   * plugin's own credentials). Without it, catalog locators are ignored.
   */
  readCatalogClusters?: () => Promise<Entity[]>;
  /** Where refused catalog clusters are reported, once each. */
  logger?: LoggerService;
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
    const readConfigured = () =>
      readClusterDefinitions(config, {
        inClusterPathPrefix: options.inClusterPathPrefix,
      }).map(def => {
        const configError = def.configError ?? authConfigError(def, strategies);
        if (configError) {
          options.logger?.warn(
            `Cluster '${def.name}' is misconfigured: ${configError}`,
          );
        }
        return configError ? { ...def, configError } : def;
      });
    const locators = readCatalogLocators(config);
    const catalog =
      locators.length > 0 && options.readCatalogClusters
        ? new CatalogClusterSource(
            locators,
            options.readCatalogClusters,
            options.logger,
          )
        : undefined;
    // Configured clusters are reported now; catalog ones when first read
    // (never here: the catalog may not serve yet while plugins start).
    const clusters = new ConfigShipyardClusters(
      readConfigured(),
      strategies,
      catalog,
      options.logger,
    );
    // A root config that follows its files (every backend reads app-config
    // this way) announces changes: configured clusters added, changed or
    // removed are listed from then on, without a restart. The catalog
    // locators and the auth strategies loaded at start stay as they were.
    config.subscribe?.(() => {
      clusters.configured = readConfigured();
    });
    return clusters;
  }

  private readonly warned = new Set<string>();

  private constructor(
    private configured: ClusterDefinition[],
    private readonly strategies: AuthStrategies,
    private readonly catalog?: CatalogClusterSource,
    private readonly logger?: LoggerService,
  ) {}

  /**
   * Config clusters, then the catalog's (read again when due). A catalog
   * cluster never replaces a configured one of the same name.
   */
  private async all(): Promise<ClusterDefinition[]> {
    if (!this.catalog) return this.configured;
    const names = new Set(this.configured.map(d => d.name));
    const fromCatalog = (await this.catalog.definitions()).map(def => {
      if (names.has(def.name)) {
        return {
          ...def,
          name: `${def.name}#catalog`,
          configError: `duplicate cluster name '${def.name}'`,
        };
      }
      names.add(def.name);
      const configError =
        def.configError ?? authConfigError(def, this.strategies);
      if (configError && !this.warned.has(`${def.name}:${configError}`)) {
        this.warned.add(`${def.name}:${configError}`);
        this.logger?.warn(
          `Cluster '${def.name}' is misconfigured: ${configError}`,
        );
      }
      return configError ? { ...def, configError } : def;
    });
    return [...this.configured, ...fromCatalog];
  }

  /** {@inheritDoc ShipyardClustersService.listClusters} */
  async listClusters(): Promise<ShipyardCluster[]> {
    return (await this.all()).map(toPublic);
  }

  /** {@inheritDoc ShipyardClustersService.getCluster} */
  async getCluster(name: string): Promise<ShipyardCluster> {
    return toPublic(await this.find(name));
  }

  /** {@inheritDoc ShipyardClustersService.getKubeConfig} */
  async getKubeConfig(
    name: string,
    access: ClusterAccess = 'read',
  ): Promise<KubeConfig> {
    const def = await this.find(name);
    const kc = makeKubeConfig(
      def,
      await clusterCredential(def, access, this.strategies),
    );
    // a kubeconfig user's exec plugin: its output never reaches an error
    return def.auth === 'kubeconfig' ? guardExecPlugin(kc, def.context) : kc;
  }

  private async find(name: string): Promise<ClusterDefinition> {
    // a configured cluster never waits for (or on a failing) catalog
    const def =
      this.configured.find(d => d.name === name) ??
      (await this.all()).find(d => d.name === name);
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
