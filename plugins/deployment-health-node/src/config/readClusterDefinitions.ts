import { Config } from '@backstage/config';
import { ClusterDefinition } from './clusterDefinition';
import { readConfigEntry } from './configEntry';
import { str } from './entryValues';
import { readInClusterEntry } from './inClusterEntry';
import { readKubeconfigContextEntry } from './kubeconfigContext';

/** Options of {@link readClusterDefinitions}. @internal */
export interface ReadClusterOptions {
  /**
   * Prefix of the pod's service account files for `inCluster` clusters, as
   * client-node's `loadFromCluster(pathPrefix)`. Tests only; default ''.
   */
  inClusterPathPrefix?: string;
}

const LOCAL_PROXY_URL = 'http://localhost:8001';

/**
 * Reads clusters from `kubernetes.clusterLocatorMethods` (types `config` and
 * `localKubectlProxy`) and `deploymentHealth.kubeconfigContexts`.
 *
 * Never throws for a bad cluster entry: it is returned with `configError` so
 * that a missing env var for one cluster does not stop the whole backend.
 *
 * @internal
 */
export function readClusterDefinitions(
  config: Config,
  options: ReadClusterOptions = {},
): ClusterDefinition[] {
  const result: ClusterDefinition[] = [];
  const seen = new Set<string>();
  const push = (def: ClusterDefinition) => {
    if (seen.has(def.name)) {
      result.push({
        ...def,
        name: `${def.name}#${result.length}`,
        configError: `duplicate cluster name '${def.name}'`,
        auth: 'none',
      });
      return;
    }
    seen.add(def.name);
    result.push(def);
  };

  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  methods.forEach((method, m) => {
    const type = str(method, 'type');
    if (type === 'config') {
      const clusters = method.getOptionalConfigArray('clusters') ?? [];
      clusters.forEach((c, i) => {
        const configKey = `kubernetes.clusterLocatorMethods[${m}].clusters[${i}]`;
        push(
          c.getOptionalBoolean('inCluster')
            ? readInClusterEntry(
                c,
                configKey,
                options.inClusterPathPrefix ?? '',
              )
            : readConfigEntry(c, configKey, i),
        );
      });
    } else if (type === 'localKubectlProxy') {
      push({
        name: 'local',
        environment: 'local',
        url: LOCAL_PROXY_URL,
        source: 'localKubectlProxy',
        skipTLSVerify: false,
        auth: 'none',
      });
    }
    // `catalog` is read by CatalogClusterSource (allow-listed hosts only);
    // other upstream types (gke) are not supported.
  });

  const contexts =
    config.getOptionalConfigArray('deploymentHealth.kubeconfigContexts') ?? [];
  for (const c of contexts) push(readKubeconfigContextEntry(c));
  return result;
}
