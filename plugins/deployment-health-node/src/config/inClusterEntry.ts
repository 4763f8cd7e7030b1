import { Config } from '@backstage/config';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterDefinition } from './clusterDefinition';
import { readCommon, readTokenKeys, str } from './entryValues';

/** The names a pod reaches its own API server by (the `kubernetes` Service). */
const IN_CLUSTER_HOSTS = new Set([
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
]);

function namesInClusterServer(url: string, inClusterUrl: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:') return false;
    if (u.origin === new URL(inClusterUrl).origin) return true;
    return (
      IN_CLUSTER_HOSTS.has(u.hostname) && (u.port === '' || u.port === '443')
    );
  } catch {
    return false;
  }
}

/**
 * `inCluster: true`: the pod's own service account, as client-node's
 * loadFromCluster reads it, at the address of KUBERNETES_SERVICE_HOST/PORT.
 * `url` (which upstream requires) must name that same API server: the pod's
 * token must never reach another one (upstream advisory GHSA-h53x-hjx6-25gr).
 *
 * @internal
 */
export function readInClusterEntry(
  c: Config,
  configKey: string,
  pathPrefix: string,
): ClusterDefinition {
  const name = str(c, 'name') || 'in-cluster';
  const { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port } =
    process.env;
  let url = '';
  let configError: string | undefined;
  const authProvider = str(c, 'authProvider');
  const configuredUrl = str(c, 'url');
  if (authProvider && authProvider !== 'serviceAccount') {
    configError = `${configKey}.authProvider '${authProvider}' cannot be combined with inCluster (the pod's service account)`;
  } else if (
    str(c, 'serviceAccountToken') ||
    str(c, 'serviceAccountTokenFile')
  ) {
    configError = `${configKey}: inCluster reads with the pod's own token; remove serviceAccountToken/serviceAccountTokenFile or inCluster`;
  } else if (!host || !port) {
    configError = `${configKey}.inCluster is set but KUBERNETES_SERVICE_HOST/PORT are not (the backend does not run in a pod)`;
  } else {
    const kc = new KubeConfig();
    kc.loadFromCluster(pathPrefix);
    url = kc.getCurrentCluster()?.server ?? '';
    if (configuredUrl && !namesInClusterServer(configuredUrl, url)) {
      configError = `${configKey}.url must name the API server the backend runs in (https://kubernetes.default.svc or ${url}) with inCluster: the pod's own token is sent nowhere else`;
    }
  }
  const { deployerServiceAccountToken, deployerServiceAccountTokenFile } =
    readTokenKeys(c);
  return {
    ...readCommon(c, name),
    // The pod's CA is always there; never send the pod's token unverified.
    skipTLSVerify: false,
    url,
    configError,
    auth: 'inCluster',
    configKey,
    pathPrefix,
    deployerServiceAccountToken,
    deployerServiceAccountTokenFile,
  };
}
