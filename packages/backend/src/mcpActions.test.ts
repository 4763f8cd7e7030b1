/*
 * The portal's MCP endpoint serves Shipyard's health actions, from its real
 * config files (app-config.yaml lists deployment-health in
 * backend.actions.pluginSources) and its real parts: auth (sign-in tokens of
 * examples/org.yaml users through app-config.two-users.yaml's proxy
 * provider), catalog, permission backend with Shipyard's policy, the actions
 * service and registry, mcp-actions-backend, deployment-health. A real MCP
 * client calls them as two users: ada (team-payments) gets the details of
 * her team's payments-api, grace (team-storefront) only its summary, as the
 * shipped policy decides. No cluster is configured here (scripts/start adds
 * the local clusters' config beside these files): the reports are empty of workloads; what
 * the clusters would add is covered by the health backend's
 * mcpActions.integration.test.ts.
 */
import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { httpRouterServiceFactory } from '@backstage/backend-defaults/httpRouter';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import { userInfoServiceFactory } from '@backstage/backend-defaults/userInfo';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProvider from '@backstage/plugin-auth-backend-module-guest-provider';
import oauth2ProxyProvider from '@backstage/plugin-auth-backend-module-oauth2-proxy-provider';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import deploymentHealthPlugin from '@shipyard-platform/backstage-plugin-deployment-health-backend';
import shipyardPolicy from '@shipyard-platform/backstage-plugin-permission-backend-module-shipyard';
import { portalConfig } from './__testUtils__/portalConfig';

jest.setTimeout(240_000);

describe('portal MCP endpoint', () => {
  it("serves the health actions with each user's permissions", async () => {
    const data = await portalConfig([
      'app-config.yaml',
      'app-config.two-users.yaml',
    ]);
    expect(data.backend.actions.pluginSources).toContain('deployment-health');
    const backend = await startTestBackend({
      features: [
        mockServices.rootConfig.factory({ data }),
        authServiceFactory,
        httpAuthServiceFactory,
        httpRouterServiceFactory,
        userInfoServiceFactory,
        permissionsServiceFactory,
        permissionsRegistryServiceFactory,
        actionsRegistryServiceFactory,
        actionsServiceFactory,
        authPlugin,
        guestProvider,
        oauth2ProxyProvider,
        catalogPlugin,
        catalogTemplateKind,
        permissionPlugin,
        shipyardPolicy,
        mcpActionsPlugin,
        deploymentHealthPlugin,
      ],
    });
    const base = `http://localhost:${backend.server.port()}`;
    const clients: Client[] = [];
    try {
      /** The user's portal token, once the catalog has ingested examples/org.yaml. */
      const signIn = async (user: string) => {
        const deadline = Date.now() + 150_000;
        for (;;) {
          const res = await fetch(`${base}/api/auth/oauth2Proxy/refresh`, {
            headers: { 'x-forwarded-user': user },
          });
          if (res.ok) return (await res.json()).backstageIdentity.token;
          if (Date.now() > deadline)
            throw new Error(`sign-in of ${user}: HTTP ${res.status}`);
          await new Promise(r => setTimeout(r, 1000));
        }
      };
      const mcpAs = async (user: string) => {
        const client = new Client({ name: 'portal-test-agent', version: '1' });
        await client.connect(
          new StreamableHTTPClientTransport(
            new URL(`${base}/api/mcp-actions/v1`),
            {
              requestInit: {
                headers: { Authorization: `Bearer ${await signIn(user)}` },
              },
            },
          ),
        );
        clients.push(client);
        return client;
      };
      const ada = await mcpAs('ada');
      const grace = await mcpAs('grace');

      const { tools } = await ada.listTools();
      expect(tools.map(t => t.name)).toEqual(
        expect.arrayContaining([
          'deployment-health.get-entity-health',
          'deployment-health.get-team-health',
          'deployment-health.get-clusters-status',
        ]),
      );

      // payments-api (examples/services.yaml) may not be ingested yet
      const entity = async (client: Client) => {
        const deadline = Date.now() + 150_000;
        for (;;) {
          const r = await client.callTool({
            name: 'deployment-health.get-entity-health',
            arguments: { entityRef: 'component:default/payments-api' },
          });
          if (!r.isError || Date.now() > deadline) return r;
          await new Promise(res => setTimeout(res, 1000));
        }
      };
      const own = await entity(ada);
      expect(own.isError).toBeFalsy();
      expect(own.structuredContent).toMatchObject({
        entityRef: 'component:default/payments-api',
      });
      expect((own.structuredContent as any).detailsRestricted).toBeUndefined();

      const other = await entity(grace);
      expect(other.isError).toBeFalsy();
      expect(other.structuredContent).toMatchObject({
        entityRef: 'component:default/payments-api',
        detailsRestricted: true,
      });

      const clusters = await grace.callTool({
        name: 'deployment-health.get-clusters-status',
        arguments: {},
      });
      expect(clusters.structuredContent).toEqual({ clusters: [] });
    } finally {
      for (const c of clients) await c.close().catch(() => {});
      await backend.stop();
    }
  });
});
