/*
 * Config of @shipyard-platform/backstage-plugin-deployment-health-backend.
 * Clusters themselves, `requestTimeoutSeconds` and `recentWindowMinutes` are
 * declared by -node, which reads them for the backend and the scaffolder actions.
 */
export interface Config {
  deploymentHealth?: {
    /** Server-side watch timeout; watches are re-opened after it (jittered ±10%). Default 300. */
    watchTimeoutSeconds?: number;
    /** Full relist at most this often, to heal any missed event. Default 900. */
    resyncIntervalSeconds?: number;
    /**
     * A cluster whose cache has not been confirmed in sync for this long is
     * reported as stale. Open watches are confirmed by their events and
     * bookmarks and by the API server's answer to a liveness check of
     * /version, sent every staleAfterSeconds / 4; a check that gets no answer
     * within requestTimeoutSeconds closes the connection, and the cluster
     * shows the timeout at once. Works down to 30. Default 120.
     */
    staleAfterSeconds?: number;
    /**
     * How often the API server sends a bookmark on an open watch
     * (kube-apiserver: every 60 s). A watch that has sent bookmarks and then
     * stays silent for 1.5 times this is dead even if the server answers:
     * it is no longer confirmed, and the next watch is re-opened after that
     * silence. Default 60.
     */
    bookmarkIntervalSeconds?: number;
    /** Reconnect backoff after a failure: starts here and doubles. Default 1. */
    initialBackoffSeconds?: number;
    /** Reconnect backoff cap. Default 30. */
    maxBackoffSeconds?: number;
    /**
     * Clusters on their way: while set, GET /clusters and the team view
     * carry it, and the views say "clusters are being prepared" instead of
     * "no cluster configured". Whoever prepares the clusters (scripts/start
     * does, for the local ones) rewrites it as they go and removes it when
     * the clusters are configured; changes apply without a restart.
     */
    preparingClusters?: {
      /** What is happening, e.g. "building kube-apiserver". */
      message: string;
      /** The current step, from 1. */
      step?: number;
      /** How many steps there are. */
      steps?: number;
    };
    /**
     * The change timeline (rollouts and status transitions per service and
     * cluster), kept in the plugin's database.
     */
    timeline?: {
      /** Record and serve the timeline. Default true. With it and the notifications off, the database is not touched. */
      enabled?: boolean;
      /** Entries older than this many days are pruned (hourly). Default 30. */
      retentionDays?: number;
      /** Newest entries kept per service (kubernetes-id), namespace and cluster. Default 500. */
      maxEntriesPerService?: number;
    };
    /**
     * Most components one team view reports (read from the catalog page by
     * page); the response says how many more the team owns
     * (`componentsLeftOut`) and the view shows it. Default 1000.
     */
    maxGroupComponents?: number;
    /**
     * Objects the watch cache holds per kind and namespace, so that one
     * team's thousands of objects cannot exhaust the backend's memory.
     * Beyond it, the services of that namespace are reported with
     * NamespaceObjectCap (their data may be incomplete). Default 2000.
     */
    maxObjectsPerNamespace?: number;
    /**
     * Entities with a custom backstage.io/kubernetes-label-selector: read by
     * queries in the owner team's namespaces (shipyard.tenancy.teamNamespaces),
     * within a global budget.
     */
    onDemand?: {
      /** Objects per kind, namespace and cluster fetched for one selector (the list `limit`). Default 500. */
      maxObjectsPerKind?: number;
      /** Objects kept of one selector in one cluster, over all kinds and namespaces. Default 2000. */
      maxObjectsPerQuery?: number;
      /** List requests in flight at once, over all requests and clusters; the rest wait. Default 8. */
      maxConcurrentLists?: number;
      /**
       * Components with a custom selector that one team view queries; the
       * others are shown with TooManyCustomSelectors (their own page still
       * reads them). Default 20.
       */
      maxQueriesPerTeamView?: number;
      /** Results are shared between requests for this long. Default 10. */
      cacheTtlSeconds?: number;
    };
    /**
     * Live updates: changes the watch cache sees are announced with Backstage
     * signals (@backstage/plugin-signals-backend must be installed) to the
     * owning group and shipyard.tenancy.platformGroups, so that open pages
     * refetch instead of polling.
     */
    signals?: {
      /** Publish signals. Default true. */
      enabled?: boolean;
      /** Changes within this window after the first go out as one signal per entity and team. Default 300. */
      debounceMilliseconds?: number;
    };
    /**
     * Notifications (@backstage/plugin-notifications-node) to a service's
     * owning groups when it turns Failed or Degraded in a notified
     * environment and stays so for `afterSeconds`, and once more when it
     * has been well again for as long. A service that flaps faster than
     * that is not announced. Looked at every `intervalSeconds` on one
     * replica at a time (the scheduler's global task); incidents are kept
     * in the plugin's database.
     */
    notifications?: {
      /** Send them. Default true (they need @backstage/plugin-notifications-backend). */
      enabled?: boolean;
      /**
       * The environments watched (cluster `environment`s) and the statuses
       * that count there. Default: production, Failed and Degraded. A name
       * no configured cluster has fails the start-up.
       */
      environments?: Array<{
        name: string;
        /** Default both. */
        statuses?: Array<'Failed' | 'Degraded'>;
      }>;
      /** How long a service stays unwell (or well again) before it is announced. Default 300. */
      afterSeconds?: number;
      /** How often the services are looked at. Default 30. */
      intervalSeconds?: number;
      /**
       * The path of the entity page's tab that the notifications link to,
       * where the app mounts the Deployments tab. Default `deployments`;
       * empty for the entity page itself.
       */
      entityTabPath?: string;
    };
  };
}
