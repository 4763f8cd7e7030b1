import { ResponseError } from '@backstage/errors';
import {
  ClustersResponse,
  EntityHealthResponse,
  EntityTimelineResponse,
  GroupHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { DeploymentHealthApi } from './DeploymentHealthApi';

/** The subset of DiscoveryApi the client needs. @public */
export type DeploymentHealthDiscovery = {
  getBaseUrl(pluginId: string): Promise<string>;
};

/** The subset of FetchApi the client needs (authenticated fetch). @public */
export type DeploymentHealthFetch = {
  fetch: typeof fetch;
};

const enc = encodeURIComponent;

/**
 * Default {@link DeploymentHealthApi}: calls the deployment-health backend
 * through the app's authenticated fetch.
 *
 * @public
 */
export class DeploymentHealthClient implements DeploymentHealthApi {
  private readonly discoveryApi: DeploymentHealthDiscovery;
  private readonly fetchApi: DeploymentHealthFetch;

  /** Creates a client; use the app's discovery and (authenticated) fetch APIs. */
  constructor(options: {
    discoveryApi: DeploymentHealthDiscovery;
    fetchApi: DeploymentHealthFetch;
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  /** {@inheritDoc DeploymentHealthApi.getEntityHealth} */
  async getEntityHealth(
    entityRef: { kind: string; namespace?: string; name: string },
    options?: { signal?: AbortSignal },
  ): Promise<EntityHealthResponse> {
    const { kind, namespace = 'default', name } = entityRef;
    return this.get(
      `/entity/${enc(namespace)}/${enc(kind.toLocaleLowerCase('en-US'))}/${enc(
        name,
      )}`,
      options?.signal,
    );
  }

  /** {@inheritDoc DeploymentHealthApi.getEntityTimeline} */
  async getEntityTimeline(
    entityRef: { kind: string; namespace?: string; name: string },
    options?: {
      cluster?: string;
      limit?: number;
      before?: string;
      signal?: AbortSignal;
    },
  ): Promise<EntityTimelineResponse> {
    const { kind, namespace = 'default', name } = entityRef;
    const query = new URLSearchParams();
    if (options?.cluster) query.set('cluster', options.cluster);
    if (options?.limit) query.set('limit', String(options.limit));
    if (options?.before) query.set('before', options.before);
    const q = query.toString();
    return this.get(
      `/entity/${enc(namespace)}/${enc(kind.toLocaleLowerCase('en-US'))}/${enc(
        name,
      )}/timeline${q ? `?${q}` : ''}`,
      options?.signal,
    );
  }

  /** {@inheritDoc DeploymentHealthApi.getGroupHealth} */
  async getGroupHealth(
    groupRef: { namespace?: string; name: string },
    options?: { includeChildren?: boolean; signal?: AbortSignal },
  ): Promise<GroupHealthResponse> {
    const { namespace = 'default', name } = groupRef;
    const query = options?.includeChildren ? '?includeChildren=true' : '';
    return this.get(
      `/group/${enc(namespace)}/${enc(name)}${query}`,
      options?.signal,
    );
  }

  /** {@inheritDoc DeploymentHealthApi.getClusters} */
  async getClusters(options?: {
    signal?: AbortSignal;
  }): Promise<ClustersResponse> {
    return this.get('/clusters', options?.signal);
  }

  private async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('deployment-health');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      signal,
      headers: { Accept: 'application/json' },
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
