import {
  clusterNodeHealth,
  entityHealth,
  HealthReason,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  deploymentHealthFixtures,
  fixtureClusterHealth,
  nodeFixtures,
} from '@shipyard-platform/deployment-health-test-utils';
import { restrictNodeDetails, restrictToSummary, summarize } from './summary';

/** The fixture's names and Kubernetes words that only the details may show. */
function detailsOf(name: string): string[] {
  const f = deploymentHealthFixtures[name] as any;
  return [
    ...f.pods.flatMap((p: any) => [
      p.metadata.name,
      ...p.spec.containers.map((c: any) => c.image),
      ...(p.status.containerStatuses ?? []).flatMap((s: any) =>
        [s.state?.waiting?.message, s.state?.terminated?.message].filter(
          Boolean,
        ),
      ),
    ]),
    ...(f.replicaSets ?? []).map((r: any) => r.metadata.name),
    ...(f.events ?? []).map((e: any) => e.message),
  ];
}

describe('restrictToSummary', () => {
  it.each([
    'prod-ledger-worker-crashloop',
    'dev-catalog-api-imagepull',
    'prod-auth-gateway-oomkilled',
    'prod-checkout-api-deadline',
    'dev-orders-api-rollout-stuck',
    'dev-plain-worker-unlabeled',
  ])(
    '%s: keeps statuses, codes and counts, and no pod name, image or message',
    name => {
      const full = entityHealth(`component:default/${name}`, [
        fixtureClusterHealth(name),
      ]);
      const secrets = detailsOf(name);
      // the full report has them: the check below can fail
      expect(
        secrets.filter(s => JSON.stringify(full).includes(s)).length,
      ).toBeGreaterThan(0);

      const summary = restrictToSummary(full);
      expect(secrets.filter(s => JSON.stringify(summary).includes(s))).toEqual(
        [],
      );
      expect(summary.detailsRestricted).toBe(true);
      expect(summary.status).toBe(full.status);
      const codes = (rs: HealthReason[]) => rs.map(r => r.code);
      expect(codes(summary.reasons)).toEqual(codes(full.reasons));
      const [c] = summary.clusters;
      const [fc] = full.clusters;
      expect(c.status).toBe(fc.status);
      expect(c.workloads.map(w => [w.name, w.status, w.podSummary])).toEqual(
        fc.workloads.map(w => [w.name, w.status, w.podSummary]),
      );
      expect(c.workloads.every(w => !w.images.length && !w.pods.length)).toBe(
        true,
      );
      // what runs stays: versions, rollouts, drift
      expect(c.workloads.map(w => w.version?.version)).toEqual(
        fc.workloads.map(w => w.version?.version),
      );
      expect(c.workloads.map(w => w.version?.rollout)).toEqual(
        fc.workloads.map(w => w.version?.rollout),
      );
      expect(summary.versions).toEqual(full.versions);
    },
  );

  it('keeps findings about the cluster and the service as they are', () => {
    const cluster = fixtureClusterHealth('prod-payments-api-healthy');
    const unreadable: HealthReason = {
      status: 'Unknown',
      code: 'ClusterUnreachable',
      scope: 'cluster',
      message: 'Cluster prod: connection refused',
      cluster: 'prod',
    };
    const full = entityHealth('component:default/x', [
      { ...cluster, reasons: [unreadable], workloads: [], otherPods: [] },
    ]);
    expect(restrictToSummary(full).reasons).toEqual(full.reasons);
  });

  it('keeps other pods counted, without their names or containers', () => {
    const cluster = fixtureClusterHealth('prod-ledger-worker-crashloop');
    const pods = cluster.workloads[0].pods;
    const full = entityHealth('component:default/bare', [
      { ...cluster, workloads: [], otherPods: pods },
    ]);
    const [c] = restrictToSummary(full).clusters;
    expect(c.otherPods.map(p => [p.name, p.status, p.containers])).toEqual(
      pods.map(p => ['', p.status, []]),
    );
  });
});

describe('summarize', () => {
  it('is the team view form: pods and events left out, names kept', () => {
    const full = entityHealth('component:default/ledger-worker', [
      fixtureClusterHealth('prod-ledger-worker-crashloop'),
    ]);
    const s = summarize(full);
    expect(s.clusters[0].workloads[0]).toMatchObject({
      pods: [],
      events: [],
      images: full.clusters[0].workloads[0].images,
    });
    expect(s.reasons).toEqual(full.reasons);
    expect(s.detailsRestricted).toBeUndefined();
  });
});

describe('restrictNodeDetails', () => {
  const { nodes, serverVersion } = nodeFixtures['nodes-noexecute'];
  const tainted = nodes.find(n => n.spec?.taints?.length)!;
  // a second NoExecute taint on the same node: still one node
  const twice = {
    ...tainted,
    spec: {
      ...tainted.spec,
      taints: [
        ...tainted.spec!.taints!,
        { key: 'example.com/drain', effect: 'NoExecute' },
      ],
    },
  };
  const full = clusterNodeHealth('prod', {
    nodes: nodes.map(n => (n === tainted ? twice : n)),
    controlPlaneVersion: serverVersion,
    error: {
      type: 'stale',
      message: 'no event for 10 min',
      since: '2026-01-01T00:00:00Z',
    },
  });

  it('keeps status, nodes ready and cluster findings; folds node findings per code, counting nodes', () => {
    expect(
      full.reasons.filter(r => r.code === 'NodeNoExecuteTaint'),
    ).toHaveLength(2);
    const restricted = restrictNodeDetails(full);
    expect(restricted).toEqual({
      status: full.status,
      nodes: full.nodes,
      nodeDetailsRestricted: true,
      reasons: [
        {
          status: 'Degraded',
          code: 'NodeNoExecuteTaint',
          scope: 'node',
          cluster: 'prod',
          message:
            'NodeNoExecuteTaint on 1 node; node details are restricted to the platform team',
        },
        full.reasons.find(r => r.scope === 'cluster'),
      ],
    });
  });

  it('leaves out every node name and version', () => {
    const secrets = [
      ...nodes.map(n => n.metadata!.name!),
      serverVersion,
      ...nodes.map(n => n.status!.nodeInfo!.kubeletVersion),
    ];
    expect(
      secrets.filter(s => JSON.stringify(full).includes(s)).length,
    ).toBeGreaterThan(1);
    const json = JSON.stringify(restrictNodeDetails(full));
    expect(secrets.filter(s => json.includes(s))).toEqual([]);
  });
});
