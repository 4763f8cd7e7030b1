import type { AuthMetadata } from '@backstage/plugin-kubernetes-node';

/**
 * A cluster as the rest of Shipyard sees it. Deliberately carries no
 * credentials: tokens and CA data stay inside the service and the KubeConfig
 * it builds, so listing clusters can never leak them.
 *
 * @public
 */
export interface ShipyardCluster {
  /** Unique name (config `name`, or the kubeconfig context). */
  name: string;
  /** Display name (config `title`), when set. */
  title?: string;
  /** Environment label (config `environment`); defaults to the name. */
  environment: string;
  /** API server URL, from config (or an allow-listed catalog entity), never from component annotations. */
  url: string;
  /** Which config block defined the cluster (`catalog`: a Resource entity of type kubernetes-cluster). */
  source: 'config' | 'localKubectlProxy' | 'kubeconfig' | 'catalog';
  /** Whether TLS certificates of the API server are not verified (config or kubeconfig `skipTLSVerify`). */
  skipTLSVerify: boolean;
  /**
   * Set when the config entry cannot be used (no url, bad URL, duplicate
   * name, unreadable kubeconfig). Such clusters are still listed so the API
   * can report them as errors instead of the backend failing to start.
   */
  configError?: string;
}

/** Shipyard's own token keys of a config cluster entry. @internal */
export interface TokenKeys {
  serviceAccountToken?: string;
  serviceAccountTokenFile?: string;
  /** Write identity for the scaffolder actions; never used by the health watch. */
  deployerServiceAccountToken?: string;
  deployerServiceAccountTokenFile?: string;
}

/**
 * Internal: a cluster plus how to authenticate to it.
 * @internal
 */
export type ClusterDefinition = ShipyardCluster &
  (
    | ({
        auth: 'config';
        /** Where the entry is, e.g. `kubernetes.clusterLocatorMethods[0].clusters[1]`, for messages. */
        configKey: string;
        /** `authProvider` (default `serviceAccount`); the key of its strategy. */
        authProvider: string;
        /** Where authProvider was read, for messages (a config key or a catalog annotation). */
        authProviderKey: string;
        /** As upstream's ConfigClusterLocator builds it, for upstream strategies. */
        authMetadata: AuthMetadata;
        caData?: string;
        caFile?: string;
      } & TokenKeys)
    | ({
        auth: 'inCluster';
        configKey: string;
        /** Prefix of /var/run/secrets/kubernetes.io/serviceaccount (tests only). */
        pathPrefix: string;
      } & Pick<
        TokenKeys,
        'deployerServiceAccountToken' | 'deployerServiceAccountTokenFile'
      >)
    | { auth: 'none' }
    | { auth: 'kubeconfig'; kubeconfigPath: string; context: string }
  );

/**
 * Which identity a caller needs: `read` is the read-only service account the
 * health watch uses; `deploy` is the separate write identity of the scaffolder
 * actions (namespaces, Helm releases).
 *
 * @public
 */
export type ClusterAccess = 'read' | 'deploy';
