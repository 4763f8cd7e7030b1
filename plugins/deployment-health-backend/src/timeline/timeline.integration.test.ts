/*
 * The change timeline at a real API server (the shared dev cluster of
 * scripts/cluster, in a namespace of this test's own) with backends on one
 * real PostgreSQL (scripts/services, a database of this test's own):
 *
 * - a rollout (kubectl set image) gives one rollout row 1.0.0 → 1.1.0,
 *   complete, and the service's status transitions;
 * - a failing rollout (pods that cannot pull, a 10 s progress deadline)
 *   gives a stuck rollout and a transition away from Healthy, with two
 *   backends recording at once: each change once;
 * - a rollback made while no backend runs is recovered by a backend
 *   started afterwards on the same database (rollout 4 complete, rollout 3
 *   rolled back), and nothing recorded before is duplicated or lost;
 * - the owner reads it all; another team's user gets no images, and a user
 *   without either permission a 403.
 *
 *   SHIPYARD_INTEGRATION=1 CI=true yarn backstage-cli package test --ci --watchAll=false src/timeline/timeline.integration.test.ts
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { EntityTimelineResponse } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  describeIntegration,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import {
  startTestCluster,
  startTestDatabase,
  TestCluster,
  TestDatabase,
} from '@shipyard-platform/test-cluster';
import { Knex } from 'knex';
import request from 'supertest';
import { component, startHealthBackend } from '../__testUtils__/backend';
import { entryLine } from '../__testUtils__/timeline';

jest.setTimeout(900_000);

const suffix = Date.now().toString(36);
const ns = `dh-timeline-${suffix}`;
const NAME = 'timeline-probe';
const TEAM = 'team-timeline';
const IMAGE = `ghcr.io/shipyard-examples/${NAME}`;
const OWNER = 'user:default/owner';
const OTHER = 'user:default/other-team';
const NOBODY = 'user:default/nobody';

const DETAILS = 'deployment-health.entity.read';

/**
 * Decisions by user, as a team-scoped policy makes them: the owner reads
 * details, another team's member the summary, `nobody` nothing.
 */
const permissions = mockServices.permissions.mock({
  authorize: async (requests: any[], options: any) => {
    const user = options?.credentials?.principal?.userEntityRef;
    return requests.map(r => {
      let allow = user === OWNER;
      if (user === OTHER) allow = r.permission.name !== DETAILS;
      return { result: allow ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    });
  },
} as any).factory;

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: NAME,
    namespace: ns,
    labels: { 'backstage.io/kubernetes-id': NAME },
  },
  spec: {
    replicas: 2,
    progressDeadlineSeconds: 10,
    selector: { matchLabels: { app: NAME } },
    template: {
      metadata: { labels: { app: NAME, 'backstage.io/kubernetes-id': NAME } },
      spec: { containers: [{ name: NAME, image: `${IMAGE}:1.0.0` }] },
    },
  },
};

const line = entryLine;

describeIntegration(
  'the change timeline at a real API server and PostgreSQL',
  () => {
    let cluster: TestCluster;
    let db: TestDatabase;
    let knex: Knex;
    const backends: Array<Awaited<ReturnType<typeof startHealthBackend>>> = [];

    const start = async () => {
      const backend = await startHealthBackend({
        clusters: [
          {
            name: cluster.name,
            url: cluster.server,
            caFile: cluster.caFile,
            serviceAccountTokenFile: cluster.tokenFile,
            environment: cluster.environment,
          },
        ],
        tenancy: { teamNamespaces: [{ team: TEAM, namespaces: [ns] }] },
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Group',
            metadata: { name: TEAM, namespace: 'default' },
            spec: { type: 'team', children: [] },
          },
          component(NAME, TEAM),
        ],
        permissions,
        features: [mockServices.database.factory({ knex })],
      });
      backends.push(backend);
      return backend;
    };

    const timelineAs = (backend: any, user: string) =>
      request(backend.server)
        .get(`/api/deployment-health/entity/default/component/${NAME}/timeline`)
        .set('Authorization', mockCredentials.user.header(user));

    const timeline = async (backend: any) => {
      const res = await timelineAs(backend, OWNER);
      expect(res.status).toBe(200);
      return res.body as EntityTimelineResponse;
    };
    /** Oldest first, as one reads a history. */
    const lines = (t: EntityTimelineResponse) => t.entries.map(line).reverse();

    const rows = () =>
      knex('timeline_entries')
        .where({ namespace: ns })
        .orderBy('id')
        .select('entry_key', 'type', 'status');

    beforeAll(async () => {
      db = await startTestDatabase('timeline_it');
      knex = db.knex;

      cluster = await startTestCluster('dev');
      await cluster.apply({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
          deployment,
        ],
      });
    });

    afterAll(async () => {
      for (const b of backends) await b.stop().catch(() => {});
      await cluster
        ?.kubectl('delete', 'namespace', ns, '--wait=false')
        .catch(() => {});
      await db?.drop();
    });

    it('records rollouts and transitions once across two backends and a restart', async () => {
      let last: EntityTimelineResponse | undefined;
      const until = (what: string, ok: (l: string[]) => boolean, b: any) =>
        waitFor(
          async () => {
            last = await timeline(b);
            return ok(lines(last)) && last;
          },
          {
            what,
            timeoutMs: 180_000,
            describe: () => JSON.stringify(last && lines(last)),
          },
        );

      // 1. one backend; the service comes up Healthy
      const a = await start();
      await until(
        'Healthy recorded',
        l => l.at(-1)?.endsWith('>Healthy') ?? false,
        a,
      );

      // 2. a rollout
      await cluster.kubectl(
        '-n',
        ns,
        'set',
        'image',
        `deployment/${NAME}`,
        `${NAME}=${IMAGE}:1.1.0`,
      );
      const rolled = await until(
        'rollout 2 complete',
        l =>
          l.includes('rollout 2 1.0.0>1.1.0 complete') &&
          l.at(-1)!.endsWith('>Healthy'),
        a,
      );
      const rollout2 = rolled.entries.find(e => e.type === 'rollout')!;
      expect(rollout2).toMatchObject({
        cluster: cluster.name,
        environment: cluster.environment,
        namespace: ns,
        rollout: {
          workload: { kind: 'Deployment', name: NAME },
          revision: 2,
          fromImages: [`${IMAGE}:1.0.0`],
          toImages: [`${IMAGE}:1.1.0`],
          result: 'complete',
        },
      });
      expect(
        rollout2.type === 'rollout' && rollout2.rollout.endedAt,
      ).toBeTruthy();

      // 3. a second backend on the same database, then a rollout that fails:
      //    both record what they see
      const b = await start();
      await cluster.kubectl(
        '-n',
        ns,
        'patch',
        `deployment/${NAME}`,
        '--type=json',
        `-p=${JSON.stringify([
          {
            op: 'replace',
            path: '/spec/template/spec/containers/0/image',
            value: `${IMAGE}:1.2.0`,
          },
          {
            op: 'add',
            path: '/spec/template/metadata/labels/shipyard.dev~1simulate',
            value: 'imagepull',
          },
        ])}`,
      );
      const stuck = await until(
        'rollout 3 stuck and the service Degraded or Failed',
        l =>
          l.includes('rollout 3 1.1.0>1.2.0 stuck') &&
          /^\w+>(Degraded|Failed)$/.test(
            l.filter(x => !x.startsWith('rollout')).at(-1)!,
          ),
        b,
      );
      // the first backend serves the same rows
      expect(lines(await timeline(a))).toEqual(lines(stuck));
      // each transition follows the one before: no change recorded twice
      const transitions = stuck.entries
        .filter(e => e.type === 'transition')
        .reverse()
        .map(e => (e.type === 'transition' ? e.transition : undefined)!);
      expect(transitions.map(t => t.from)).toEqual([
        undefined,
        ...transitions.slice(0, -1).map(t => t.to),
      ]);
      expect(transitions.filter(t => t.to === t.from)).toEqual([]);
      const failing = transitions.at(-1)!;
      expect(failing.reasons.length).toBeGreaterThan(0);

      // 4. users of other teams
      const other = await timelineAs(b, OTHER);
      expect(other.status).toBe(200);
      expect(other.body.detailsRestricted).toBe(true);
      expect(other.body.entries.length).toBe(stuck.entries.length);
      expect(JSON.stringify(other.body)).not.toContain(IMAGE);
      expect(JSON.stringify(stuck)).toContain(IMAGE);
      expect((await timelineAs(b, NOBODY)).status).toBe(403);

      // 5. both backends stop; a rollback while none runs; a new one recovers it
      const before = await rows();
      for (const x of [a, b]) await x.stop();
      await cluster.kubectl('-n', ns, 'rollout', 'undo', `deployment/${NAME}`);
      await waitFor(
        async () => {
          const d = JSON.parse(
            await cluster.kubectl(
              '-n',
              ns,
              'get',
              `deployment/${NAME}`,
              '-o',
              'json',
            ),
          );
          return (
            d.metadata.annotations['deployment.kubernetes.io/revision'] ===
              '4' &&
            d.status.updatedReplicas === 2 &&
            d.status.availableReplicas === 2 &&
            !d.status.unavailableReplicas
          );
        },
        { what: 'rollback to 1.1.0 complete', timeoutMs: 120_000 },
      );
      const c = await start();
      const after = await until(
        'rollback recovered',
        l =>
          l.includes('rollout 4 1.2.0>1.1.0 complete') &&
          l.includes('rollout 3 1.1.0>1.2.0 rolled back'),
        c,
      );
      // every row from before is still there, once; the new ones are added
      const now = await rows();
      expect(now.slice(0, before.length).map(r => r.entry_key)).toEqual(
        before.map(r => r.entry_key),
      );
      expect(
        now.map(r => r.entry_key).filter(k => k.startsWith('rollout/')).length,
      ).toBe(3);
      expect(lines(after).filter(l => l.startsWith('rollout'))).toEqual([
        'rollout 2 1.0.0>1.1.0 complete',
        'rollout 3 1.1.0>1.2.0 rolled back',
        'rollout 4 1.2.0>1.1.0 complete',
      ]);
    });
  },
);
