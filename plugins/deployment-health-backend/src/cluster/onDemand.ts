import { HealthReason } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  ClusterConnection,
  readServiceObjects,
  ServiceObjectsResult,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { CacheOptions } from '../options';

/**
 * At most `max` list requests in flight, over all queries, requests and
 * clusters: the others wait their turn (first come, first served).
 */
export class ListBudget {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** The most lists that were ever in flight at once (for tests and logs). */
  peak = 0;

  constructor(private readonly max: number) {}

  async run<T>(list: () => Promise<T>): Promise<T> {
    if (this.running >= this.max)
      await new Promise<void>(resolve => this.waiting.push(resolve));
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    try {
      return await list();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/** Queries left to one request. */
export class QueryBudget {
  private left: number;

  constructor(readonly max: number) {
    this.left = max;
  }

  /** True (and counted) when one more query fits. */
  take(): boolean {
    if (this.left <= 0) return false;
    this.left--;
    return true;
  }

  /** The finding of a component that was not queried. */
  reason(): HealthReason {
    return {
      status: 'Unknown',
      code: 'TooManyCustomSelectors',
      scope: 'service',
      message: `Not read in this team view: it has more than ${this.max} components with a custom backstage.io/kubernetes-label-selector (deploymentHealth.onDemand.maxQueriesPerTeamView); the component's own page reads it`,
    };
  }
}

/**
 * Entities with a custom `backstage.io/kubernetes-label-selector` may select
 * objects the watch cache does not hold (no kubernetes-id label). They get a
 * bounded query instead (readServiceObjects in the owner team's namespaces,
 * without events: the caller joins them from its index), within a global
 * budget: lists in flight at once, objects per kind and per query. Results
 * are shared for a few seconds (also between concurrent requests) so that
 * page views cannot fan out to the API server.
 */
export class OnDemandQuery {
  private readonly results = new Map<string, Promise<ServiceObjectsResult>>();
  readonly lists: ListBudget;

  constructor(
    private readonly options: Pick<
      CacheOptions,
      | 'onDemandMaxObjects'
      | 'onDemandMaxObjectsPerQuery'
      | 'onDemandMaxConcurrentLists'
      | 'onDemandMaxQueriesPerTeamView'
      | 'onDemandCacheTtlMs'
    >,
    private readonly maxEntries = 500,
  ) {
    this.lists = new ListBudget(options.onDemandMaxConcurrentLists);
  }

  query(
    connection: ClusterConnection,
    labelSelector: string,
    namespaces: string[],
  ): Promise<ServiceObjectsResult> {
    const key = JSON.stringify([
      connection.cluster.name,
      namespaces,
      labelSelector,
    ]);
    const hit = this.results.get(key);
    if (hit) return hit;
    const p = readServiceObjects(connection, {
      labelSelector,
      namespaces,
      limit: this.options.onDemandMaxObjects,
      maxObjects: this.options.onDemandMaxObjectsPerQuery,
      schedule: list => this.lists.run(list),
    });
    this.results.set(key, p);
    if (this.results.size > this.maxEntries) {
      this.results.delete(this.results.keys().next().value!);
    }
    setTimeout(
      () => this.results.delete(key),
      this.options.onDemandCacheTtlMs,
    ).unref();
    return p;
  }

  /**
   * The custom-selector queries one team view may run: a view of thousands
   * of such components degrades to TooManyCustomSelectors for those past
   * the budget instead of queueing thousands of lists.
   */
  teamViewBudget(): QueryBudget {
    return new QueryBudget(this.options.onDemandMaxQueriesPerTeamView);
  }
}
