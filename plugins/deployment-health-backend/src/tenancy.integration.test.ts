/*
 * Tenant isolation of health reads (issue 15), against the REAL local API
 * server (scripts/cluster dev): a team-storefront entity whose annotations
 * point at team-payments' service sees none of its pods, images, container
 * messages or events, while team-payments' own entity does. Runs with
 * SHIPYARD_INTEGRATION=1:
 *
 *   SHIPYARD_INTEGRATION=1 yarn backstage-cli package test --no-watch src/tenancy.integration.test.ts
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import type {
  EntityHealthResponse,
  GroupHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  describeIntegration,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import { startTestCluster, TestCluster } from '@shipyard-platform/test-cluster';
import request from 'supertest';
import { component, startHealthBackend } from './__testUtils__/backend';

jest.setTimeout(600_000);

const suffix = Date.now().toString(36);
const nsPayments = `dh-pay-${suffix}`;
const nsStorefront = `dh-store-${suffix}`;
/** team-payments' service; team-storefront runs a service labelled with the same id. */
const id = `ledger-${suffix}`;
const PAYMENTS_IMAGE = `ghcr.io/shipyard-examples/payments-only:${suffix}`;
const STOREFRONT_IMAGE = `ghcr.io/shipyard-examples/storefront-own:${suffix}`;
const PAYMENTS_EVENT = `payments-only-event-${suffix}`;

const group = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});
const deployment = (namespace: string, image: string, extra = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: id,
    namespace,
    labels: { 'backstage.io/kubernetes-id': id },
  },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: id } },
    template: {
      metadata: {
        labels: { app: id, 'backstage.io/kubernetes-id': id, ...extra },
      },
      spec: { containers: [{ name: 'app', image }] },
    },
  },
});

describeIntegration(
  'deployment health tenant isolation (real API server)',
  () => {
    let cluster: TestCluster;

    beforeAll(async () => {
      cluster = await startTestCluster('dev');
      await cluster.apply({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: nsPayments },
          },
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: nsStorefront },
          },
          // payments' pods crash-loop: container messages to leak
          deployment(nsPayments, PAYMENTS_IMAGE, {
            'shipyard.dev/simulate': 'crashloop',
          }),
          deployment(nsStorefront, STOREFRONT_IMAGE),
        ],
      });
    });

    afterAll(async () => {
      for (const ns of [nsPayments, nsStorefront])
        await cluster
          ?.kubectl('delete', 'namespace', ns, '--wait=false')
          .catch(() => {});
    });

    it("shows a team-storefront entity none of team-payments' pods, images, container messages or events", async () => {
      const storefront = (name: string, annotations: Record<string, string>) =>
        component(name, 'team-storefront', annotations);
      const backend = await startHealthBackend({
        clusters: [
          {
            name: 'dev',
            url: cluster.server,
            caFile: cluster.caFile,
            serviceAccountTokenFile: cluster.tokenFile,
            environment: cluster.environment,
          },
        ],
        deploymentHealth: { requestTimeoutSeconds: 5 },
        tenancy: {
          teamNamespaces: [
            { team: 'team-payments', namespaces: [nsPayments] },
            { team: 'team-storefront', namespaces: [nsStorefront] },
          ],
        },
        entities: [
          group('team-payments'),
          group('team-storefront'),
          component('ledger', 'team-payments', {
            'backstage.io/kubernetes-id': id,
          }),
          // another team's kubernetes-id: only storefront's own pods of that id
          storefront('spy-id', { 'backstage.io/kubernetes-id': id }),
          // ... and narrowing to payments' namespace is refused
          storefront('spy-namespace', {
            'backstage.io/kubernetes-id': id,
            'backstage.io/kubernetes-namespace': nsPayments,
          }),
          // a selector that selects almost everything is refused
          storefront('spy-negation', {
            'backstage.io/kubernetes-label-selector': '!x',
          }),
          // a custom selector matching payments' pods runs in storefront's namespace only
          storefront('spy-selector', {
            'backstage.io/kubernetes-label-selector': `app=${id},shipyard.dev/simulate=crashloop`,
          }),
        ],
      });
      const get = async <T>(who: string, p: string): Promise<T> => {
        const res = await request(backend.server)
          .get(`/api/deployment-health/${p}`)
          .set('Authorization', mockCredentials.user.header(who));
        expect(res.status).toBe(200);
        return res.body;
      };
      const ada = 'user:default/ada';
      const grace = 'user:default/grace';
      try {
        // the owner sees its crash-looping pod; then a Warning event about it
        const owned = await waitFor(
          async () => {
            const body = await get<EntityHealthResponse>(
              ada,
              'entity/default/component/ledger',
            );
            const pod = body.clusters[0]?.workloads[0]?.pods[0];
            return pod?.containers[0]?.message ? pod : undefined;
          },
          {
            timeoutMs: 120_000,
            describe: () => "waiting for payments' crash loop",
          },
        );
        const now = new Date().toISOString();
        await cluster.apply({
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `${owned.name}.${suffix}`, namespace: nsPayments },
          involvedObject: {
            kind: 'Pod',
            name: owned.name,
            namespace: nsPayments,
            uid: (
              await cluster.kubectl(
                '-n',
                nsPayments,
                'get',
                'pod',
                owned.name,
                '-o',
                'jsonpath={.metadata.uid}',
              )
            ).trim(),
          },
          type: 'Warning',
          reason: 'PaymentsOnly',
          message: PAYMENTS_EVENT,
          count: 1,
          firstTimestamp: now,
          lastTimestamp: now,
        });
        await waitFor(
          async () =>
            JSON.stringify(
              await get(ada, 'entity/default/component/ledger'),
            ).includes(PAYMENTS_EVENT),
          {
            timeoutMs: 30_000,
            describe: () => 'waiting for the Warning event',
          },
        );
        // storefront's own pod of that id is in the cache too
        const spyId = await waitFor(
          async () => {
            const body = await get<EntityHealthResponse>(
              grace,
              'entity/default/component/spy-id',
            );
            return body.clusters[0]?.workloads[0]?.pods.length === 1 && body;
          },
          { timeoutMs: 60_000, describe: () => "waiting for storefront's pod" },
        );
        expect(spyId.clusters[0].workloads.map(w => w.namespace)).toEqual([
          nsStorefront,
        ]);
        expect(spyId.clusters[0].workloads[0].images).toEqual([
          STOREFRONT_IMAGE,
        ]);

        const views = {
          spyId,
          spyNamespace: await get<EntityHealthResponse>(
            grace,
            'entity/default/component/spy-namespace',
          ),
          spyNegation: await get<EntityHealthResponse>(
            grace,
            'entity/default/component/spy-negation',
          ),
          spySelector: await get<EntityHealthResponse>(
            grace,
            'entity/default/component/spy-selector',
          ),
          teamView: await get<GroupHealthResponse>(
            grace,
            'group/default/team-storefront?details=true',
          ),
        };
        expect(views.spyNamespace).toMatchObject({
          status: 'Unknown',
          clusters: [],
          reasons: [
            {
              code: 'AnnotationRefused',
              annotation: 'backstage.io/kubernetes-namespace',
              message: expect.stringContaining(
                `"${nsPayments}" is not a namespace of the owner group:default/team-storefront (${nsStorefront}); it may only narrow to one of them (shipyard.tenancy.teamNamespaces)`,
              ),
            },
          ],
        });
        expect(views.spyNegation.reasons).toEqual([
          expect.objectContaining({
            code: 'AnnotationRefused',
            annotation: 'backstage.io/kubernetes-label-selector',
          }),
        ]);
        // the query ran (in storefront's namespace) and found nothing there
        expect(views.spySelector.reasons.map(r => r.code)).toEqual([
          'NotDeployed',
        ]);
        expect(views.teamView.entities.map(e => e.entityRef)).toEqual([
          'component:default/spy-id',
          'component:default/spy-namespace',
          'component:default/spy-negation',
          'component:default/spy-selector',
        ]);

        const leaked = [
          nsPayments,
          owned.name,
          PAYMENTS_IMAGE,
          owned.containers[0].message!,
          PAYMENTS_EVENT,
        ];
        for (const [view, body] of Object.entries(views)) {
          const text = JSON.stringify(body);
          for (const secret of leaked)
            expect(`${view}: ${text}`).not.toContain(
              secret === nsPayments ? `"namespace":"${secret}"` : secret,
            );
        }
      } finally {
        await backend.stop();
      }
    });
  },
);
