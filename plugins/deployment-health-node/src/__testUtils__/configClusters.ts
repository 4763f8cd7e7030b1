import { ConfigReader } from '@backstage/config';
import {
  ConfigShipyardClusters,
  ConfigShipyardClustersOptions,
} from '../ShipyardClustersService';

/** The service over these `type: config` cluster entries only. */
export function configClusters(
  clusters: object[],
  options: ConfigShipyardClustersOptions = {},
) {
  return ConfigShipyardClusters.fromConfig(
    new ConfigReader({
      kubernetes: { clusterLocatorMethods: [{ type: 'config', clusters }] },
    }),
    options,
  );
}
