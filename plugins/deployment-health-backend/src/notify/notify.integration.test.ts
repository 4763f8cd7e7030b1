/*
 * Owners' notifications, end to end: a service on the local dev cluster
 * (environment development) crash-loops (kwok's simulated CrashLoopBackOff),
 * the real notifications backend gets exactly one notification for its
 * team's member, none for another team's, and one more when it recovers.
 * The damping window is shortened to seconds.
 *
 *   SHIPYARD_INTEGRATION=1 yarn backstage-cli package test --watchAll=false src/notify/notify.integration.test.ts
 */
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockCredentials } from '@backstage/backend-test-utils';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import {
  describeIntegration,
  labelledDeployment,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import { startTestCluster, TestCluster } from '@shipyard-platform/test-cluster';
import request from 'supertest';
import { component, startHealthBackend } from '../__testUtils__/backend';

const suffix = Date.now().toString(36);
const ns = `dh-notify-${suffix}`;
const id = `notify-probe-${suffix}`;

jest.setTimeout(300_000);

const user = (name: string, team: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: [team] },
  relations: [{ type: 'memberOf', targetRef: `group:default/${team}` }],
});
const team = (name: string, members: string[]) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
  relations: members.map(m => ({
    type: 'hasMember',
    targetRef: `user:default/${m}`,
  })),
});

describeIntegration(
  'notifications to the owners of a service that breaks',
  () => {
    let cluster: TestCluster;

    beforeAll(async () => {
      cluster = await startTestCluster('dev');
      await cluster.apply(
        labelledDeployment(id, ns, {
          podLabels: { 'shipyard.dev/simulate': 'crashloop' },
        }),
      );
    });

    afterAll(async () => {
      await cluster?.kubectl('delete', 'namespace', ns, '--wait=false');
    });

    it('one notification when it stays Failed, none to another team, one more on recovery', async () => {
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
        deploymentHealth: {
          notifications: {
            environments: [{ name: cluster.environment }],
            afterSeconds: 3,
            intervalSeconds: 1,
          },
        },
        tenancy: { teamNamespaces: [{ team: 'team-x', namespaces: [ns] }] },
        entities: [
          component(id, 'team-x', { 'backstage.io/kubernetes-namespace': ns }),
          team('team-x', ['ada']),
          user('ada', 'team-x'),
          team('team-y', ['grace']),
          user('grace', 'team-y'),
        ],
        // the real scheduler: it runs the look every second (the mock runs tasks on demand)
        features: [notificationsPlugin, schedulerServiceFactory],
        config: { app: { baseUrl: 'http://localhost:3000' } },
      });
      const notificationsOf = async (name: string) => {
        const res = await request(backend.server)
          .get('/api/notifications/notifications')
          .set(
            'Authorization',
            mockCredentials.user.header(`user:default/${name}`),
          );
        expect(res.status).toBe(200);
        return (res.body.notifications as any[]).map(n => n.payload);
      };
      try {
        const [opened] = await waitFor(
          async () => {
            const n = await notificationsOf('ada');
            return n.length > 0 && n;
          },
          { timeoutMs: 120_000, intervalMs: 500 },
        );
        expect(opened).toMatchObject({
          title: `${id} is Failed in ${cluster.environment}`,
          description: expect.stringContaining('CrashLoopBackOff'),
          link: `/catalog/default/component/${id}/deployments`,
          severity: 'high',
          topic: 'deployment-health',
        });
        // more looks (one a second) while it stays Failed: still one
        await new Promise(r => setTimeout(r, 5000));
        expect(await notificationsOf('ada')).toHaveLength(1);
        expect(await notificationsOf('grace')).toEqual([]);

        // the fix: pods without the simulated crash
        await cluster.kubectl(
          '-n',
          ns,
          'patch',
          'deployment',
          id,
          '--type=json',
          '-p',
          JSON.stringify([
            {
              op: 'remove',
              path: '/spec/template/metadata/labels/shipyard.dev~1simulate',
            },
          ]),
        );
        const both = await waitFor(
          async () => {
            const n = await notificationsOf('ada');
            return n.length > 1 && n;
          },
          { timeoutMs: 120_000, intervalMs: 500 },
        );
        expect(both.map(n => n.title).sort()).toEqual([
          `${id} has recovered in ${cluster.environment}`,
          `${id} is Failed in ${cluster.environment}`,
        ]);
        await new Promise(r => setTimeout(r, 5000));
        expect(await notificationsOf('ada')).toHaveLength(2);
        expect(await notificationsOf('grace')).toEqual([]);
      } finally {
        await backend.stop();
      }
    });
  },
);
