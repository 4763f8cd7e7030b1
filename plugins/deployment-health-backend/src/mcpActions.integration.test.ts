/*
 * The health actions as an agent uses them (issue 18): a REAL MCP client
 * (@modelcontextprotocol/sdk, Streamable HTTP) lists and calls them through
 * the MCP endpoint of @backstage/plugin-mcp-actions-backend, which reaches the
 * plugin through the real actions service and registry of
 * @backstage/backend-defaults (`backend.actions.pluginSources`, as the portal
 * configures it), with a user token; the health comes from the watch cache of
 * a REAL kube-apiserver (scripts/cluster). Two users: the owning team's sees
 * the details, another team's gets a permission error and no data. The API
 * server's own request count shows the calls read nothing from Kubernetes,
 * and a custom-label-selector entity (which does query, bounded) is the
 * control that the count counts. Permission decisions come from
 * mockServices.permissions, deciding per user as a team-scoped policy would.
 *
 * Runs on its own cluster ("mcp"), started and stopped here: the count is
 * cluster-wide, so no other test's or portal's requests may reach it.
 *
 *   SHIPYARD_INTEGRATION=1 yarn backstage-cli package test --no-watch src/mcpActions.integration.test.ts
 */
import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  ClustersResponse,
  EntityHealthResponse,
  GroupHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  describeIntegration,
  labelledDeployment,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import {
  readsServed,
  startTestCluster,
  stopTestCluster,
  TestCluster,
} from '@shipyard-platform/test-cluster';
import { component, startHealthBackend } from './__testUtils__/backend';

jest.setTimeout(600_000);

const CLUSTER = 'mcp';
const ns = `dh-mcp-${Date.now().toString(36)}`;
const SERVICE = 'mcp-orders';
const ADA = 'user:default/ada'; // team-orders, the owner
const GRACE = 'user:default/grace'; // team-storefront

const group = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});

/**
 * Team-scoped decisions: ada may read team-orders' health (details and
 * summary) and the clusters; grace may read the clusters only.
 */
const permissions = mockServices.permissions.mock({
  authorize: async (requests: any[], options: any) => {
    const user = options?.credentials?.principal?.userEntityRef;
    return requests.map(r => ({
      result:
        r.permission.name === 'deployment-health.clusters.read' || user === ADA
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
    }));
  },
} as any).factory;

async function readsServedBy(cluster: TestCluster): Promise<number> {
  return readsServed(await cluster.kubectl('get', '--raw', '/metrics'));
}

describeIntegration('deployment health actions over MCP', () => {
  let cluster: TestCluster;
  let backend: Awaited<ReturnType<typeof startHealthBackend>> | undefined;
  const clients: Client[] = [];

  /** An MCP client of the backend's MCP endpoint, signed in as `user`. */
  async function mcpClientAs(user: string): Promise<Client> {
    const client = new Client({
      name: 'shipyard-test-agent',
      version: '1.0.0',
    });
    const transport = new StreamableHTTPClientTransport(
      new URL(`http://localhost:${backend!.server.port()}/api/mcp-actions/v1`),
      {
        requestInit: {
          headers: { Authorization: mockCredentials.user.header(user) },
        },
      },
    );
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    cluster = await startTestCluster(CLUSTER);
    await cluster.apply(
      labelledDeployment(SERVICE, ns, {
        replicas: 2,
        image: `ghcr.io/shipyard-examples/${SERVICE}:1.2.3`,
      }),
    );
    backend = await startHealthBackend({
      clusters: [
        {
          name: CLUSTER,
          url: cluster.server,
          caFile: cluster.caFile,
          serviceAccountTokenFile: cluster.tokenFile,
          environment: cluster.environment,
        },
      ],
      deploymentHealth: {
        // no watch ends and no periodic relist inside the counted window
        watchTimeoutSeconds: 3600,
        resyncIntervalSeconds: 3600,
        // the control's query is counted each time, not served from a cache
        onDemand: { cacheTtlSeconds: 0 },
      },
      tenancy: {
        teamNamespaces: [
          { team: 'team-orders', namespaces: [ns] },
          { team: 'team-storefront', namespaces: [`${ns}-storefront`] },
          // the control's team (not team-orders: its team view would query)
          { team: 'team-selectors', namespaces: [ns] },
        ],
      },
      entities: [
        group('team-orders'),
        group('team-storefront'),
        group('team-selectors'),
        component(SERVICE, 'team-orders'),
        component('mcp-orders-by-selector', 'team-selectors', {
          'backstage.io/kubernetes-id': '',
          'backstage.io/kubernetes-label-selector': `app=${SERVICE}`,
        }),
      ],
      permissions,
      config: {
        // as app-config.yaml: the MCP backend lists this plugin's actions
        backend: { actions: { pluginSources: ['deployment-health'] } },
      },
      features: [
        mcpActionsPlugin,
        actionsRegistryServiceFactory,
        actionsServiceFactory,
      ],
    });
  });

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await backend?.stop();
    // this cluster is this test's own (never a bare `down`)
    await stopTestCluster(CLUSTER).catch(() => {});
  });

  it('lists the read-only actions as MCP tools', async () => {
    const ada = await mcpClientAs(ADA);
    const { tools } = await ada.listTools();
    const ours = tools.filter(t => t.name.startsWith('deployment-health.'));
    expect(ours.map(t => t.name).sort()).toEqual([
      'deployment-health.get-clusters-status',
      'deployment-health.get-entity-health',
      'deployment-health.get-team-health',
    ]);
    for (const tool of ours)
      expect(tool.annotations).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
      });
    const entityTool = ours.find(t => t.name.endsWith('get-entity-health'))!;
    expect(entityTool.inputSchema).toMatchObject({
      type: 'object',
      properties: { entityRef: { type: 'string' } },
      required: ['entityRef'],
    });
  });

  it("calls them: the owner sees details, another team's user a permission error, and Kubernetes sees no request", async () => {
    const ada = await mcpClientAs(ADA);
    const grace = await mcpClientAs(GRACE);
    const entity = async (client: Client, entityRef: string) =>
      client.callTool({
        name: 'deployment-health.get-entity-health',
        arguments: { entityRef },
      });

    // the cache has synced and both pods run
    let last: unknown;
    await waitFor(
      async () => {
        const r = await entity(ada, SERVICE);
        last = r;
        const c = (r.structuredContent as EntityHealthResponse | undefined)
          ?.clusters?.[0];
        return (
          c?.workloads[0]?.rollout.available === 2 &&
          !c.reasons.some(x => x.code === 'ClusterSyncing')
        );
      },
      {
        what: `${SERVICE} synced with 2 available pods`,
        timeoutMs: 120_000,
        describe: () => JSON.stringify(last),
      },
    );

    const before = await readsServedBy(cluster);

    const owned = await entity(ada, `component:default/${SERVICE}`);
    expect(owned.isError).toBeFalsy();
    const report = owned.structuredContent as EntityHealthResponse;
    expect(report).toMatchObject({
      entityRef: `component:default/${SERVICE}`,
      status: 'Healthy',
    });
    expect(report.detailsRestricted).toBeUndefined();
    const cluster0 = report.clusters[0];
    expect(cluster0).toMatchObject({ cluster: CLUSTER, source: 'cache' });
    expect(cluster0.workloads[0]).toMatchObject({
      kind: 'Deployment',
      name: SERVICE,
      namespace: ns,
      images: [`ghcr.io/shipyard-examples/${SERVICE}:1.2.3`],
    });
    expect(cluster0.workloads[0].pods).toHaveLength(2);
    // the text content an agent reads is the same report
    expect(JSON.parse((owned.content as any)[0].text)).toEqual(report);

    const denied = await entity(grace, `component:default/${SERVICE}`);
    expect(denied.isError).toBe(true);
    expect(denied.structuredContent).toBeUndefined();
    expect((denied.content as any)[0].text).toMatch(
      new RegExp(
        `^NotAllowedError: Not allowed to read deployment health of component:default/${SERVICE}`,
      ),
    );
    expect(JSON.stringify(denied)).not.toContain('shipyard-examples');

    const team = await ada.callTool({
      name: 'deployment-health.get-team-health',
      arguments: { groupRef: 'group:default/team-orders' },
    });
    expect(team.isError).toBeFalsy();
    const teamReport = team.structuredContent as GroupHealthResponse;
    expect(teamReport.entities.map(e => e.entityRef)).toEqual([
      `component:default/${SERVICE}`,
    ]);
    expect(teamReport.status).toBe('Healthy');
    const graceTeam = await grace.callTool({
      name: 'deployment-health.get-team-health',
      arguments: { groupRef: 'group:default/team-orders' },
    });
    expect(graceTeam.isError).toBe(true);
    expect((graceTeam.content as any)[0].text).toMatch(/^NotAllowedError: /);

    for (const client of [ada, grace]) {
      const clusters = await client.callTool({
        name: 'deployment-health.get-clusters-status',
        arguments: {},
      });
      expect(clusters.isError).toBeFalsy();
      expect((clusters.structuredContent as ClustersResponse).clusters).toEqual(
        [expect.objectContaining({ name: CLUSTER, state: 'ok' })],
      );
    }

    expect((await readsServedBy(cluster)) - before).toBe(0);

    // The control: an entity with a custom label selector falls back to the
    // bounded on-demand query, and the same count sees it.
    const beforeQuery = await readsServedBy(cluster);
    const bySelector = await entity(ada, 'mcp-orders-by-selector');
    expect(
      (bySelector.structuredContent as EntityHealthResponse).clusters[0]
        ?.source,
    ).toBe('query');
    expect((await readsServedBy(cluster)) - beforeQuery).toBeGreaterThan(0);
  });

  it('names the bad input: malformed ref, unknown entity', async () => {
    const ada = await mcpClientAs(ADA);
    const malformed = await ada.callTool({
      name: 'deployment-health.get-entity-health',
      arguments: { entityRef: 'component:default/' },
    });
    expect(malformed.isError).toBe(true);
    expect((malformed.content as any)[0].text).toMatch(
      /^InputError: entityRef "component:default\/"/,
    );
    const unknown = await ada.callTool({
      name: 'deployment-health.get-entity-health',
      arguments: { entityRef: 'component:default/no-such-service' },
    });
    expect(unknown.isError).toBe(true);
    expect((unknown.content as any)[0].text).toBe(
      'NotFoundError: No entity component:default/no-such-service',
    );
  });
});
