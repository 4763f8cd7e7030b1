/*
 * Config read by @shipyard-platform/backstage-plugin-deployment-health-node.
 *
 * Clusters use the same `kubernetes.clusterLocatorMethods` shape as
 * @backstage/plugin-kubernetes-backend, so one block of config serves both
 * plugins. Shipyard adds two optional keys per cluster: `environment` and
 * `serviceAccountTokenFile`. Keys that upstream also declares keep upstream's
 * visibility so the merged schema has no conflicts.
 */
export interface Config {
  kubernetes?: {
    /**
     * `googleServiceAccount` clusters: the service account key (JSON), as upstream;
     * when unset, Google's application default credentials.
     * @visibility secret
     */
    googleServiceAccountCredentials?: string;
    clusterLocatorMethods?: Array<
      | {
          /** @visibility frontend */
          type: 'config';
          clusters: Array<{
            /** Unique cluster name, used in API responses and in the `backstage.io/kubernetes-cluster` annotation. */
            name: string;
            /**
             * API server URL. Cluster URLs come from config only, never from catalog data.
             * With `inCluster`: https://kubernetes.default.svc (or the address of
             * KUBERNETES_SERVICE_HOST/PORT), and Shipyard connects to the latter.
             */
            url: string;
            /** Human-readable title. */
            title?: string;
            /**
             * Shipyard: environment label for this cluster, e.g. development, staging, production.
             * Defaults to the cluster name.
             */
            environment?: string;
            /**
             * How Shipyard authenticates: `serviceAccount` (the default; the token keys
             * below), `aws`, `googleServiceAccount` or `azure` (upstream's strategies,
             * from @backstage/plugin-kubernetes-backend), or a provider added with
             * shipyardAuthStrategyServiceRef. Client-side `google`, `oidc` and `aks` need
             * serviceAccountToken(File) on the same entry for Shipyard.
             * @visibility frontend
             */
            authProvider?: string;
            /**
             * Provider-specific settings, as upstream (e.g. kubernetes.io/aws-assume-role,
             * kubernetes.io/x-k8s-aws-id); its kubernetes.io/auth-provider wins over authProvider.
             * @visibility secret
             */
            authMetadata?: { [key: string]: string };
            /** `aws`: IAM role ARN to assume (through STS) before signing the EKS token. */
            assumeRole?: string;
            /**
             * `aws`: external ID to supply when assuming the role.
             * @visibility secret
             */
            externalId?: string;
            /**
             * `oidc` (upstream, client-side): the sign-in provider of the user's token.
             * Not used by Shipyard.
             * @visibility frontend
             */
            oidcTokenProvider?: string;
            /**
             * Shipyard: read this cluster with the backend pod's own service account
             * (token and CA under /var/run/secrets/kubernetes.io/serviceaccount, URL from
             * KUBERNETES_SERVICE_HOST/PORT). `url` must then name that API server, and the
             * reader token keys and another authProvider be unset; the pod's token is never
             * sent anywhere else.
             */
            inCluster?: boolean;
            /**
             * Bearer token of a read-only service account. With authProvider
             * `serviceAccount` (and not `inCluster`), this or serviceAccountTokenFile is
             * required: an entry with neither is misconfigured (Shipyard reads no cluster
             * anonymously and never sends the pod's own token to a configured URL).
             * @visibility secret
             */
            serviceAccountToken?: string;
            /**
             * Shipyard: path to a file holding the bearer token; re-read for every new
             * connection so rotated tokens are picked up. Used when serviceAccountToken is unset.
             * @visibility secret
             */
            serviceAccountTokenFile?: string;
            /**
             * Shipyard: bearer token of the write identity the scaffolder actions
             * use (namespaces, Helm releases). Never used by the health watch.
             * @visibility secret
             */
            deployerServiceAccountToken?: string;
            /**
             * Shipyard: path to a file holding the deployer token.
             * @visibility secret
             */
            deployerServiceAccountTokenFile?: string;
            /**
             * Base64-encoded PEM CA bundle of the API server.
             * @visibility secret
             */
            caData?: string;
            /**
             * Path to a PEM CA bundle of the API server.
             * @visibility secret
             */
            caFile?: string;
            /** Skip TLS verification (local clusters only). */
            skipTLSVerify?: boolean;
          }>;
        }
      | {
          /**
           * A `kubectl proxy` on http://localhost:8001, as upstream's localKubectlProxy.
           * @visibility frontend
           */
          type: 'localKubectlProxy';
        }
      | {
          /**
           * Clusters from Resource entities of type kubernetes-cluster, as upstream
           * (annotations kubernetes.io/api-server, -api-server-certificate-authority,
           * -auth-provider). Off unless this entry exists.
           * @visibility frontend
           */
          type: 'catalog';
          /**
           * Shipyard: API server host names catalog clusters may use: exact
           * (`k8s.example.com`) or every host below a domain (`*.eks.amazonaws.com`).
           * Any other host is refused. Default: none (every catalog cluster refused).
           */
          allowedApiServerHosts?: string[];
          /** Shipyard: how often the catalog is read again, in seconds. Default 30. */
          refreshIntervalSeconds?: number;
        }
      | {
          /** Other upstream locator types (gke) are ignored by Shipyard. */
          type: string;
        }
    >;
  };
  shipyard?: {
    /**
     * Who may act for which team, and where teams' objects live. Read by the
     * scaffolder actions, the health backend and the permission policy alike.
     */
    tenancy?: {
      /**
       * Groups (entity refs, e.g. `group:default/team-platform`) whose members
       * may act for any team and read every team's details. Default: none.
       */
      platformGroups?: string[];
      /**
       * Namespace names no team may own, in addition to the defaults
       * (`default`, `kube-*`, `openshift-*`, `ingress-nginx`, `monitoring`,
       * `cert-manager`, `argocd`, … see DEFAULT_RESERVED_NAMESPACES).
       */
      reservedNamespaces?: string[];
      /**
       * The namespaces each listed team's services live in. A team not listed
       * owns one namespace: its group name (the golden path's convention).
       */
      teamNamespaces?: Array<{
        /** The group, as an entity ref (`group:default/team-a`) or a name in the default namespace. */
        team: string;
        /** Its namespaces. */
        namespaces: string[];
      }>;
    };
  };
  deploymentHealth?: {
    /** Timeout for each list request and for a watch to answer, per cluster. Default 5. */
    requestTimeoutSeconds?: number;
    /** Restarts and Warning events within this window degrade health. Default 15. */
    recentWindowMinutes?: number;
    /**
     * Clusters taken from kubeconfig contexts, for local use. Not read by the
     * upstream kubernetes plugin.
     */
    kubeconfigContexts?: Array<{
      /** Context name in the kubeconfig file. */
      context: string;
      /**
       * Path of the kubeconfig file; defaults to $KUBECONFIG or ~/.kube/config.
       * @visibility secret
       */
      kubeconfig?: string;
      /** Cluster name to use in Shipyard; defaults to the context name. */
      name?: string;
      /** Environment label; defaults to the cluster name. */
      environment?: string;
    }>;
  };
}
