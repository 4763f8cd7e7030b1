export interface Config {
  /** Shipyard scaffolder actions (`@shipyard-platform/backstage-plugin-scaffolder-backend-module-shipyard`). */
  shipyard?: {
    helm?: {
      /**
       * Path to the helm v3 executable used by `shipyard:validate` and
       * `shipyard:deploy`. Default: `helm` on PATH, then the newest
       * `$SHIPYARD_CACHE/go-tools/helm-v* /helm` built by `scripts/cluster build`.
       */
      path?: string;
    };
    publish?: {
      local?: {
        /**
         * Directory under which `shipyard:publish:local` creates one git
         * repository per service. Relative paths resolve against the backend's
         * working directory. Required for that action.
         */
        baseDir?: string;
      };
    };
    kubernetes?: {
      /**
       * Namespace of the ingress controller that `shipyard:kubernetes:namespace`
       * allows to reach team pods. Default: ingress-nginx.
       */
      ingressControllerNamespace?: string;
    };
    deploy?: {
      /**
       * Clusters `shipyard:deploy` and `shipyard:kubernetes:namespace` may
       * change and `shipyard:deployment:status` may read. Default: every
       * cluster of the cluster service. Who may act for which team, and in
       * which namespaces, is `shipyard.tenancy.*` (declared by
       * @shipyard-platform/backstage-plugin-deployment-health-node).
       */
      allowedClusters?: string[];
    };
  };
}
