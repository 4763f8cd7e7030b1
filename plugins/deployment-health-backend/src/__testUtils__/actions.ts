import { actionsRegistryServiceFactory } from '@backstage/backend-defaults/alpha';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  deploymentHealthFixtures,
  FakeKubeApi,
  seedFixture,
} from '@shipyard-platform/deployment-health-test-utils';
import request from 'supertest';
import { component, startHealthBackend } from './backend';

/*
 * The actions' unit tests: the plugin with the REAL actions registry of
 * @backstage/backend-defaults (schema validation, output stripping, error
 * serialization as the MCP backend receives them), fed by FakeKubeApi. The
 * MCP client and the real API server are in mcpActions.integration.test.ts.
 */

const group = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});

/** A fake API server holding a crash-looping ledger-worker (pods, events) and a healthy catalog-api. */
export async function startFakeCluster() {
  const api = new FakeKubeApi();
  await api.start();
  seedFixture(api, deploymentHealthFixtures['prod-ledger-worker-crashloop']);
  seedFixture(api, deploymentHealthFixtures['prod-catalog-api-healthy']);
  return api;
}

/** The health backend on `api` with the real actions registry; team-payments owns both services. */
export function startActionsBackend(
  api: FakeKubeApi,
  options: Pick<Parameters<typeof startHealthBackend>[0], 'permissions'> = {},
) {
  return startHealthBackend({
    clusters: [
      {
        name: 'good',
        url: api.url,
        environment: 'production',
        serviceAccountToken: 'reader-token',
      },
    ],
    deploymentHealth: { requestTimeoutSeconds: 1 },
    tenancy: {
      teamNamespaces: [
        { team: 'team-payments', namespaces: ['payments', 'storefront'] },
      ],
    },
    entities: [
      group('team-payments'),
      component('ledger-worker', 'team-payments'),
      component('catalog-api', 'team-payments'),
    ],
    permissions: options.permissions,
    features: [actionsRegistryServiceFactory],
  });
}

/** POSTs an action invocation to the plugin's registry as `user`, as the actions service does. */
export function invokeAction(
  server: any,
  name: string,
  input: object,
  user = 'user:default/ada',
) {
  return request(server)
    .post(
      `/api/deployment-health/.backstage/actions/v1/actions/deployment-health:${name}/invoke`,
    )
    .set('Authorization', mockCredentials.user.header(user))
    .send(input);
}

/** GET from the REST API as `user`: what the action must answer alike. */
export function getAsUser(
  server: any,
  path: string,
  user = 'user:default/ada',
) {
  return request(server)
    .get(`/api/deployment-health/${path}`)
    .set('Authorization', mockCredentials.user.header(user));
}

/** A report without its `generatedAt`, to compare two reads of the same state. */
export function withoutGeneratedAt(body: any) {
  const { generatedAt, ...rest } = body;
  expect(typeof generatedAt).toBe('string');
  return rest;
}
