/*
 * Versions and drift at real API servers: a Deployment runs 1.0.0 in the
 * local dev and prod clusters (each in a namespace of this test's own); an
 * image set in dev shows as dev's new version in the entity report and the
 * team view, with prod behind dev since the new ReplicaSet was created.
 *
 * Uses the shared dev and prod clusters of scripts/cluster (started if they
 * are not running, never stopped here); everything it creates is in its own
 * namespace, deleted at the end.
 */
import type {
  EntityHealthResponse,
  GroupHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  describeIntegration,
  labelledDeployment,
  waitFor,
} from '@shipyard-platform/deployment-health-test-utils';
import { startTestCluster, TestCluster } from '@shipyard-platform/test-cluster';
import {
  component,
  readAsUser,
  startHealthBackend,
} from './__testUtils__/backend';

const ns = `dh-versions-${Date.now().toString(36)}`;
const NAME = 'versions-probe';
const TEAM = 'team-versions';
const IMAGE = `ghcr.io/shipyard-examples/${NAME}`;

jest.setTimeout(600_000);

const manifest = labelledDeployment(NAME, ns, {
  replicas: 2,
  image: `${IMAGE}:1.0.0`,
  labels: { 'helm.sh/chart': `${NAME}-2.0.0` },
  container: { name: NAME },
});

describeIntegration('versions and drift at real API servers', () => {
  let dev: TestCluster;
  let prod: TestCluster;
  let backend: Awaited<ReturnType<typeof startHealthBackend>> | undefined;

  const get = <T>(p: string) => readAsUser<T>(backend!.server, p);
  const entity = () =>
    get<EntityHealthResponse>(`entity/default/component/${NAME}`);
  const versionIn = (e: EntityHealthResponse, cluster: string) =>
    e.clusters.find(c => c.cluster === cluster)?.workloads[0]?.version;

  beforeAll(async () => {
    dev = await startTestCluster('dev');
    prod = await startTestCluster('prod');
    await dev.apply(manifest);
    await prod.apply(manifest);

    backend = await startHealthBackend({
      clusters: [dev, prod].map(c => ({
        name: c.name,
        url: c.server,
        caFile: c.caFile,
        serviceAccountTokenFile: c.tokenFile,
        environment: c.environment,
      })),
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
    });
  });

  afterAll(async () => {
    await backend?.stop();
    // shared clusters: remove only what this test made
    for (const c of [dev, prod].filter(Boolean))
      await c
        .kubectl('delete', 'namespace', ns, '--wait=false')
        .catch(() => {});
  });

  it('reports a new image as the new version, and the other environment behind', async () => {
    const before = await waitFor(
      async () => {
        const e = await entity();
        return (
          versionIn(e, 'dev')?.replicas[0]?.pods === 2 &&
          versionIn(e, 'prod')?.replicas[0]?.pods === 2 &&
          e
        );
      },
      { what: `${NAME} at 1.0.0 in dev and prod`, timeoutMs: 120_000 },
    );
    expect(versionIn(before, 'dev')).toMatchObject({
      version: '1.0.0',
      source: 'image',
      chart: { name: NAME, version: '2.0.0' },
      revision: '1',
    });
    expect(before.versions?.drift).toEqual([]);

    await dev.kubectl(
      '-n',
      ns,
      'set',
      'image',
      `deployment/${NAME}`,
      `${NAME}=${IMAGE}:1.1.0`,
    );
    const newReplicaSetCreated = async () => {
      const list = JSON.parse(
        await dev.kubectl('-n', ns, 'get', 'replicasets', '-o', 'json'),
      );
      const rs = list.items.find(
        (r: any) =>
          r.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2',
      );
      return new Date(rs.metadata.creationTimestamp).toISOString();
    };

    let last: EntityHealthResponse | undefined;
    const after = await waitFor(
      async () => {
        last = await entity();
        const v = versionIn(last, 'dev');
        return (
          v?.revision === '2' &&
          v.replicas.length === 1 &&
          v.replicas[0].version === '1.1.0' &&
          v.replicas[0].ready === 2 &&
          last
        );
      },
      {
        what: `${NAME} rolled out 1.1.0 in dev`,
        timeoutMs: 120_000,
        describe: () => JSON.stringify(last?.versions),
      },
    );
    expect(versionIn(after, 'dev')).toMatchObject({
      version: '1.1.0',
      revision: '2',
      replicas: [{ version: '1.1.0', pods: 2, ready: 2 }],
      mixed: false,
    });
    expect(versionIn(after, 'prod')?.version).toBe('1.0.0');
    expect(after.versions?.drift).toEqual([
      {
        kind: 'behind',
        workload: { kind: 'Deployment', name: NAME },
        environment: prod.environment,
        version: '1.0.0',
        comparedTo: dev.environment,
        comparedToVersion: '1.1.0',
        since: await newReplicaSetCreated(),
      },
    ]);

    // the team view carries the same versions
    const team = await get<GroupHealthResponse>(`group/default/${TEAM}`);
    expect(team.entities[0].versions?.drift).toEqual(after.versions?.drift);
    expect(
      team.entities[0].clusters.map(c => c.workloads[0].version?.version),
    ).toEqual(['1.1.0', '1.0.0']);
  });
});
