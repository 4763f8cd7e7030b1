import { Entity } from '@backstage/catalog-model';
import {
  ClustersResponse,
  EntityHealthResponse,
  EntityTimelineResponse,
  GroupHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { DeploymentHealthApi } from './api';

/** A component entity with the kubernetes-id annotation. */
export function componentEntity(name: string, annotated = true): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: annotated ? { 'backstage.io/kubernetes-id': name } : {},
    },
    spec: { type: 'service', owner: 'team-payments', lifecycle: 'production' },
  };
}

export const groupEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-payments', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

/** A mock API serving the given responses (functions are called per request). */
export function mockDeploymentHealthApi(responses: {
  entity?:
    | EntityHealthResponse
    | (() => EntityHealthResponse | Promise<EntityHealthResponse>);
  group?:
    | GroupHealthResponse
    | (() => GroupHealthResponse | Promise<GroupHealthResponse>);
  clusters?:
    | ClustersResponse
    | (() => ClustersResponse | Promise<ClustersResponse>);
  timeline?:
    | EntityTimelineResponse
    | (() => EntityTimelineResponse | Promise<EntityTimelineResponse>);
}): jest.Mocked<DeploymentHealthApi> {
  const call = async <T,>(
    r: T | (() => T | Promise<T>) | undefined,
  ): Promise<T> => {
    if (r === undefined) throw new Error('not mocked');
    return typeof r === 'function' ? (r as () => T | Promise<T>)() : r;
  };
  return {
    getEntityHealth: jest.fn((_ref: any, _opts?: any) =>
      call(responses.entity),
    ),
    getGroupHealth: jest.fn((_ref: any, _opts?: any) => call(responses.group)),
    getClusters: jest.fn((_opts?: any) => call(responses.clusters)),
    getEntityTimeline: jest.fn((_ref: any, _opts?: any) =>
      call(responses.timeline),
    ),
  };
}
