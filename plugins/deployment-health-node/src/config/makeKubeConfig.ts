import type { KubernetesCredential } from '@backstage/plugin-kubernetes-node';
import { KubeConfig, User } from '@kubernetes/client-node';
import fs from 'node:fs';
import { ClusterDefinition } from './clusterDefinition';
import { loadKubeconfigContext } from './kubeconfigContext';

function userFor(credential: KubernetesCredential | undefined): User {
  if (credential?.type === 'bearer token') {
    return { name: 'shipyard', token: credential.token };
  }
  if (credential?.type === 'x509 client certificate') {
    // client-node takes base64 of the PEM, as a kubeconfig's *-data keys.
    return {
      name: 'shipyard',
      certData: Buffer.from(credential.cert).toString('base64'),
      keyData: Buffer.from(credential.key).toString('base64'),
    };
  }
  return { name: 'shipyard' };
}

/**
 * Builds a client-node KubeConfig for one cluster definition and the
 * credential chosen for it (see auth/clusterCredential).
 *
 * Files (CA, kubeconfig, the pod's token) are read on every call so that a
 * restarted local cluster or a rotated token is picked up without a backend
 * restart. Kubeconfig contexts and `kubectl proxy` carry their own identity,
 * as does an `inCluster` cluster without a credential (the pod's own).
 *
 * @internal
 */
export function makeKubeConfig(
  def: ClusterDefinition,
  credential?: KubernetesCredential,
): KubeConfig {
  if (def.configError) {
    throw new Error(
      `cluster '${def.name}' is misconfigured: ${def.configError}`,
    );
  }
  if (def.auth === 'kubeconfig') {
    return loadKubeconfigContext(def.kubeconfigPath, def.context);
  }
  const kc = new KubeConfig();
  if (def.auth === 'inCluster') {
    // client-node's own in-cluster loader: host and port from the
    // environment, the pod's CA, and its token file (re-read by client-node).
    kc.loadFromCluster(def.pathPrefix);
    const cluster = { ...kc.getCurrentCluster()!, name: def.name };
    const user = credential
      ? userFor(credential)
      : { ...kc.getCurrentUser()!, name: 'shipyard' };
    kc.loadFromClusterAndUser(cluster, user);
    return kc;
  }
  let caData: string | undefined;
  if (def.auth === 'config') {
    caData = def.caData;
    if (!caData && def.caFile) {
      // Inline the file now so a missing file fails here, with the cluster name,
      // rather than as an opaque TLS error later.
      caData = fs.readFileSync(def.caFile).toString('base64');
    }
  }
  kc.loadFromOptions({
    clusters: [
      {
        name: def.name,
        server: def.url,
        caData,
        // client-node refuses plain-HTTP servers (kubectl proxy) unless this
        // is set; there is no TLS to verify on http:// anyway.
        skipTLSVerify: def.skipTLSVerify || def.url.startsWith('http:'),
      },
    ],
    users: [userFor(credential)],
    contexts: [{ name: def.name, cluster: def.name, user: 'shipyard' }],
    currentContext: def.name,
  });
  return kc;
}
