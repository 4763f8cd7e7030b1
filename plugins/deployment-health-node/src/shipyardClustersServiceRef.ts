import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import type { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';
import { shipyardAuthStrategyServiceRef } from './auth/authStrategyService';
import { AuthStrategies } from './auth/clusterCredential';
import { SERVICE_ACCOUNT, UPSTREAM_PROVIDERS } from './auth/providers';
import { loadUpstreamStrategies } from './auth/upstreamStrategies';
import { readCatalogLocators } from './catalog/catalogClusters';
import { readClusterDefinitions } from './config/readClusterDefinitions';
import {
  ConfigShipyardClusters,
  ShipyardClustersService,
} from './ShipyardClustersService';

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
  // Catalog clusters are not known yet: with a catalog locator, all of them.
  const used =
    readCatalogLocators(config).length > 0
      ? UPSTREAM_PROVIDERS.filter(p => !own[p])
      : readClusterDefinitions(config).flatMap(d =>
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
          auth: coreServices.auth,
          catalog: catalogServiceRef,
          added: shipyardAuthStrategyServiceRef,
        },
        async factory({ config, logger, auth, catalog, added }) {
          const authStrategies = await buildAuthStrategies(
            config,
            logger,
            added,
          );
          const clusters = ConfigShipyardClusters.fromConfig(config, {
            authStrategies,
            logger,
            // only called when a `type: catalog` locator is configured
            readCatalogClusters: async () =>
              (
                await catalog.getEntities(
                  {
                    filter: {
                      kind: 'Resource',
                      'spec.type': 'kubernetes-cluster',
                    },
                  },
                  { credentials: await auth.getOwnServiceCredentials() },
                )
              ).items,
          });
          return clusters;
        },
      }),
  });
