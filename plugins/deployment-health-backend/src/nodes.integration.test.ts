/*
 * The cluster's own health from its Nodes, against a real control plane of
 * its own (`nodes-it`, started and stopped here: the shared dev/prod
 * clusters' nodes are never touched). kwok makes a node NotReady when it
 * carries the label shipyard.dev/simulate-node=notready, and Ready again
 * when the label goes (scripts/cluster.d/kwok-stages.yaml): the node status
 * is written by kwok, and the node lifecycle controller reacts to it as to
 * a real kubelet's.
 *
 *   SHIPYARD_INTEGRATION=1 yarn backstage-cli package test --watchAll=false src/nodes.integration.test.ts
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import type {
  ClustersResponse,
  ClusterStatus,
  EntityHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  describeIntegration,
  labelledDeployment,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import {
  startTestCluster,
  stopTestCluster,
  TestCluster,
} from '@shipyard-platform/test-cluster';
import request from 'supertest';
import { component, startHealthBackend } from './__testUtils__/backend';

const NAME = 'nodes-it';
const suffix = Date.now().toString(36);
const ns = `dh-nodes-${suffix}`;
const id = `nodes-probe-${suffix}`;
/** A reader like the portal's, but whose ClusterRole has no `nodes`. */
const blind = `shipyard-reader-no-nodes-${suffix}`;

jest.setTimeout(300_000);

describeIntegration('cluster health from real kwok Nodes', () => {
  let cluster: TestCluster;
  let blindToken: string;
  /** The node the service's pod runs on: the one made NotReady. */
  let podNode = `${NAME}-node-1`;
  const sick = () => podNode;

  beforeAll(async () => {
    cluster = await startTestCluster(NAME);
    const service = labelledDeployment(id, ns, {
      container: { resources: { requests: { cpu: '250m', memory: '64Mi' } } },
    });
    await cluster.apply({
      ...service,
      items: [
        ...service.items,
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: blind, namespace: 'shipyard-system' },
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: blind },
          rules: [
            {
              apiGroups: [''],
              resources: ['pods', 'events'],
              verbs: ['get', 'list', 'watch'],
            },
            {
              apiGroups: ['apps'],
              resources: [
                'deployments',
                'statefulsets',
                'daemonsets',
                'replicasets',
              ],
              verbs: ['get', 'list', 'watch'],
            },
            {
              apiGroups: ['autoscaling'],
              resources: ['horizontalpodautoscalers'],
              verbs: ['get', 'list', 'watch'],
            },
          ],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: blind },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: blind,
          },
          subjects: [
            {
              kind: 'ServiceAccount',
              name: blind,
              namespace: 'shipyard-system',
            },
          ],
        },
      ],
    });
    blindToken = (
      await cluster.kubectl(
        '-n',
        'shipyard-system',
        'create',
        'token',
        blind,
        '--duration=1h',
      )
    ).trim();
  });

  afterAll(async () => {
    // the cluster is this test's own: stopping it removes everything
    if (cluster) await stopTestCluster(NAME);
  });

  it('a NotReady node turns the cluster Degraded within seconds and names the node and the service; restoring it clears both; memory pressure and a cordon too', async () => {
    const backend = await startHealthBackend({
      clusters: [
        {
          name: NAME,
          url: cluster.server,
          caFile: cluster.caFile,
          serviceAccountTokenFile: cluster.tokenFile,
          environment: cluster.environment,
        },
      ],
      // a liveness check every 5 s: it also reads the API server's version
      deploymentHealth: { requestTimeoutSeconds: 5, staleAfterSeconds: 20 },
      tenancy: { teamNamespaces: [{ team: 'team-x', namespaces: [ns] }] },
      entities: [
        component(id, 'team-x', { 'backstage.io/kubernetes-namespace': ns }),
      ],
    });
    const clusterStatus = async (): Promise<ClusterStatus> => {
      const res = await request(backend.server)
        .get('/api/deployment-health/clusters')
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      return (res.body as ClustersResponse).clusters.find(
        c => c.name === NAME,
      )!;
    };
    try {
      const healthy = await waitFor(
        async () => {
          const c = await clusterStatus();
          return (
            c.health?.status === 'Healthy' &&
            Boolean(c.health.controlPlaneVersion) &&
            (c.health.requested?.pods ?? 0) >= 1 &&
            c
          );
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(healthy.health).toMatchObject({
        nodes: { ready: 3, total: 3 },
        allocatable: { pods: 330, cpuMillis: 24_000 },
        kubeletVersions: [expect.stringMatching(/^kwok-/)],
        sickNodes: [],
      });
      expect(healthy.health!.requested!.cpuMillis).toBeGreaterThanOrEqual(250);
      expect(healthy.health!.controlPlaneVersion).toBe(
        JSON.parse(await cluster.kubectl('get', '--raw', '/version'))
          .gitVersion,
      );

      podNode = (
        await cluster.kubectl(
          '-n',
          ns,
          'get',
          'pods',
          '-l',
          `app=${id}`,
          '-o',
          'jsonpath={.items[0].spec.nodeName}',
        )
      ).trim();
      expect(podNode).toMatch(new RegExp(`^${NAME}-node-`));
      const entity = async () => {
        const res = await request(backend.server)
          .get(`/api/deployment-health/entity/default/component/${id}`)
          .set('Authorization', mockCredentials.user.header());
        expect(res.status).toBe(200);
        return res.body as EntityHealthResponse;
      };
      expect((await entity()).status).toBe('Healthy');

      const t0 = Date.now();
      await cluster.kubectl(
        'label',
        'node',
        sick(),
        'shipyard.dev/simulate-node=notready',
      );
      const degraded = await waitFor(
        async () => {
          const c = await clusterStatus();
          return c.health?.status === 'Degraded' && c;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      const degradedAfterMs = Date.now() - t0;
      expect(degradedAfterMs).toBeLessThan(10_000);
      expect(degraded.state).toBe('ok'); // connectivity is fine
      expect(degraded.health!.nodes).toEqual({ ready: 2, total: 3 });
      expect(degraded.health!.reasons).toEqual([
        expect.objectContaining({
          code: 'NodeNotReady',
          scope: 'node',
          cluster: NAME,
          object: { kind: 'Node', name: sick() },
          kubernetesReason: 'KubeletNotReady',
        }),
      ]);
      expect(degraded.health!.sickNodes!.map(n => n.name)).toEqual([sick()]);
      // and, for the platform team, which services (of which team) have pods there
      expect(degraded.health!.sickNodes![0].services).toEqual([
        { id, namespace: ns, teams: ['group:default/team-x'] },
      ]);
      // the service whose pod runs there: the node cause leads its reasons
      const service = await waitFor(
        async () => {
          const e = await entity();
          return e.status === 'Degraded' && e;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      const serviceAfterMs = Date.now() - t0;
      expect(service.reasons[0]).toMatchObject({
        code: 'NodeNotReady',
        scope: 'node',
        cluster: NAME,
        object: { kind: 'Node', name: sick() },
      });
      expect(service.reasons[0].message).toMatch(
        new RegExp(`^pod ${id}-[a-z0-9-]+ on node ${sick()}: NotReady`),
      );

      const t1 = Date.now();
      await cluster.kubectl(
        'label',
        'node',
        sick(),
        'shipyard.dev/simulate-node-',
      );
      await waitFor(
        async () => (await clusterStatus()).health?.status === 'Healthy',
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      const clearedAfterMs = Date.now() - t1;
      await waitFor(
        async () => {
          const e = await entity();
          return !e.reasons.some(r => r.scope === 'node') && e;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      expect(clearedAfterMs).toBeLessThan(10_000);
      // memory pressure (kwok's stage) and a cordon, and back
      const other = `${NAME}-node-${sick().endsWith('-0') ? 1 : 0}`;
      await cluster.kubectl(
        'label',
        'node',
        other,
        'shipyard.dev/simulate-node=memorypressure',
      );
      await cluster.kubectl('cordon', sick());
      const pressed = await waitFor(
        async () => {
          const c = await clusterStatus();
          return c.health?.reasons.length === 2 && c;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      expect(
        pressed.health!.reasons.map(r => `${r.object?.name}:${r.code}`).sort(),
      ).toEqual(
        [`${other}:NodeMemoryPressure`, `${sick()}:NodeCordoned`].sort(),
      );
      expect(pressed.health!.status).toBe('Degraded');
      await cluster.kubectl(
        'label',
        'node',
        other,
        'shipyard.dev/simulate-node-',
      );
      await cluster.kubectl('uncordon', sick());
      await waitFor(
        async () => (await clusterStatus()).health?.status === 'Healthy',
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      // eslint-disable-next-line no-console
      console.log(
        `node NotReady -> cluster Degraded in ${degradedAfterMs} ms, service names it in ${serviceAfterMs} ms; restored -> Healthy in ${clearedAfterMs} ms`,
      );
    } finally {
      await cluster
        .kubectl('label', 'node', sick(), 'shipyard.dev/simulate-node-')
        .catch(() => {});
      await backend.stop();
    }
  });

  it('a reader that may not list nodes still reports workloads, with one warning naming the permission', async () => {
    const backend = await startHealthBackend({
      clusters: [
        {
          name: NAME,
          url: cluster.server,
          caFile: cluster.caFile,
          serviceAccountToken: blindToken,
          environment: cluster.environment,
        },
      ],
      deploymentHealth: { requestTimeoutSeconds: 5 },
      tenancy: { teamNamespaces: [{ team: 'team-x', namespaces: [ns] }] },
      entities: [
        component(id, 'team-x', { 'backstage.io/kubernetes-namespace': ns }),
      ],
    });
    try {
      const entity = await waitFor(
        async () => {
          const res = await request(backend.server)
            .get(`/api/deployment-health/entity/default/component/${id}`)
            .set('Authorization', mockCredentials.user.header());
          const body = res.body as EntityHealthResponse;
          const c = body.clusters?.find(x => x.cluster === NAME);
          return c?.workloads[0]?.rollout.available === 1 && c;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(entity.error).toBeUndefined();
      expect(entity.status).toBe('Healthy');
      const res = await request(backend.server)
        .get('/api/deployment-health/clusters')
        .set('Authorization', mockCredentials.user.header());
      const c = (res.body as ClustersResponse).clusters[0];
      expect(c.state).toBe('ok');
      expect(c.error).toBeUndefined();
      expect(c.health!.status).toBe('Unknown');
      expect(c.health!.reasons).toEqual([
        expect.objectContaining({
          code: 'NodesForbidden',
          scope: 'cluster',
          cluster: NAME,
          permission: 'list/watch nodes',
        }),
      ]);
      expect(c.health!.nodes).toBeUndefined();
    } finally {
      await backend.stop();
    }
  });
});
