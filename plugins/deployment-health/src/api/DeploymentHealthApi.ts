import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  ClustersResponse,
  EntityHealthResponse,
  EntityTimelineResponse,
  GroupHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';

/**
 * Reads deployment health reports from the deployment-health backend.
 *
 * @public
 */
export interface DeploymentHealthApi {
  /** Health of one catalog entity across all clusters. */
  getEntityHealth(
    entityRef: { kind: string; namespace?: string; name: string },
    options?: { signal?: AbortSignal },
  ): Promise<EntityHealthResponse>;
  /** Health of every component owned by a group (and, optionally, its child groups). */
  getGroupHealth(
    groupRef: { namespace?: string; name: string },
    options?: { includeChildren?: boolean; signal?: AbortSignal },
  ): Promise<GroupHealthResponse>;
  /** A page of an entity's change timeline (rollouts, status transitions), newest first. */
  getEntityTimeline(
    entityRef: { kind: string; namespace?: string; name: string },
    options?: {
      cluster?: string;
      limit?: number;
      before?: string;
      signal?: AbortSignal;
    },
  ): Promise<EntityTimelineResponse>;
  /** Configured clusters with their sync state. */
  getClusters(options?: { signal?: AbortSignal }): Promise<ClustersResponse>;
}

/** API reference of {@link DeploymentHealthApi}. @public */
export const deploymentHealthApiRef = createApiRef<DeploymentHealthApi>().with({
  id: 'plugin.deployment-health.api',
  pluginId: 'deployment-health',
});
