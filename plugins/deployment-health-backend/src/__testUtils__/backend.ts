import {
  BackendFeature,
  coreServices,
  createServiceFactory,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { deploymentHealthPlugin } from '../plugin';

/** A catalog Component of `owner` whose kubernetes-id is its name (unless annotated otherwise). */
export const component = (
  name: string,
  owner: string,
  annotations: Record<string, string> = {},
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': name, ...annotations },
  },
  spec: { type: 'service', owner, lifecycle: 'production' },
  relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
});

/**
 * A backend with the deployment-health plugin on these clusters (entries of
 * `kubernetes.clusterLocatorMethods`) and options, a catalog holding these
 * entities, and requests without an Authorization header unauthenticated.
 * Permissions allow everything unless a factory is given.
 */
export function startHealthBackend(options: {
  clusters?: object[];
  deploymentHealth?: object;
  /** `shipyard.tenancy` (e.g. teamNamespaces for fixtures that live in other namespaces than their team's name). */
  tenancy?: object;
  entities: object[];
  permissions?: ServiceFactory;
  logger?: ServiceFactory;
  /** Other locator entries after the `type: config` one of `clusters` (e.g. `type: catalog`). */
  clusterLocatorMethods?: object[];
  /** The catalog, instead of one holding `entities`. */
  catalog?: ServiceFactory;
  /** More features, e.g. a strategy for shipyardAuthStrategyServiceRef. */
  features?: Array<BackendFeature>;
  /** More root config, e.g. `backend.actions` for the MCP test. */
  config?: object;
}) {
  return startTestBackend({
    features: [
      deploymentHealthPlugin,
      mockServices.rootConfig.factory({
        data: {
          ...(options.clusters || options.clusterLocatorMethods
            ? {
                kubernetes: {
                  clusterLocatorMethods: [
                    ...(options.clusters
                      ? [{ type: 'config', clusters: options.clusters }]
                      : []),
                    ...(options.clusterLocatorMethods ?? []),
                  ],
                },
              }
            : {}),
          deploymentHealth: options.deploymentHealth ?? {},
          ...(options.tenancy
            ? { shipyard: { tenancy: options.tenancy } }
            : {}),
          ...options.config,
        },
      }),
      options.catalog ??
        catalogServiceMock.factory({ entities: options.entities as any }),
      options.permissions ??
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      ...(options.logger ? [options.logger] : []),
      ...(options.features ?? []),
    ],
  });
}

/** Permissions that deny the requests `deny` picks and allow the rest. */
export function permissionsDenying(deny: (request: any) => boolean) {
  return mockServices.permissions.mock({
    authorize: async (requests: any[]) =>
      requests.map(r => ({
        result: deny(r) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
      })),
  } as any).factory;
}

/**
 * A root logger that records every line (with its metadata), so tests can
 * assert that nothing secret is ever logged.
 */
export function capturingRootLogger() {
  const lines: string[] = [];
  const factory = createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory() {
      const make = (fields: object): any => {
        const log = (level: string) => (msg: string, meta?: unknown) =>
          lines.push(
            `${level} ${msg} ${JSON.stringify({
              ...fields,
              ...(meta as object),
            })}`,
          );
        return {
          info: log('info'),
          warn: log('warn'),
          error: log('error'),
          debug: log('debug'),
          child: (f: object) => make({ ...fields, ...f }),
        };
      };
      return make({});
    },
  });
  return { lines, factory };
}

/** GET `/api/deployment-health/<path>` as the mock signed-in user; expects 200 and returns the body. */
export async function readAsUser<T>(server: any, path: string): Promise<T> {
  const res = await request(server)
    .get(`/api/deployment-health/${path}`)
    .set('Authorization', mockCredentials.user.header());
  expect(res.status).toBe(200);
  return res.body as T;
}
