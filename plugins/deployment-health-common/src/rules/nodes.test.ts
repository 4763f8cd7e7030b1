import {
  deploymentHealthFixtures,
  nodeFixtures,
} from '@shipyard-platform/deployment-health-test-utils';
import type { V1Node } from '@kubernetes/client-node';
import { DEFAULT_TENANCY_RULES } from '../tenancy';
import { clusterHealth } from './cluster';
import {
  clusterNodeHealth,
  nodeHealth,
  nodeImpactReasons,
  parseQuantity,
  podRequests,
  projectNode,
} from './nodes';

// Real Nodes of a local kwok cluster (capture-nodes.sh); the sick ones were
// made sick by kwok's own stages (scripts/cluster.d/kwok-stages.yaml).
const at = (name: keyof typeof nodeFixtures, minutesLater = 0) => {
  const f = nodeFixtures[name];
  return {
    nodes: structuredClone(f.nodes) as V1Node[],
    controlPlaneVersion: f.serverVersion,
    now: new Date(new Date(f.capturedAt).getTime() + minutesLater * 60_000),
  };
};
const codes = (rs: { code: string; object?: { name: string } }[]) =>
  rs.map(r => `${r.object?.name ?? '-'}:${r.code}`);

describe('node rules on real kwok Nodes', () => {
  it('a healthy cluster: all nodes Ready, allocatable summed, versions', () => {
    const { nodes, controlPlaneVersion, now } = at('nodes-healthy');
    const h = clusterNodeHealth('it', { nodes, controlPlaneVersion }, { now });
    expect(h.status).toBe('Healthy');
    expect(h.reasons).toEqual([]);
    expect(h.nodes).toEqual({ ready: 3, total: 3 });
    expect(h.allocatable).toEqual({
      cpuMillis: 24_000,
      memoryBytes: 3 * 32 * 2 ** 30,
      pods: 330,
    });
    expect(h.controlPlaneVersion).toBe('v1.36.3');
    expect(h.kubeletVersions).toEqual(['kwok-0.8.0']);
    expect(h.sickNodes).toEqual([]);
  });

  it('NotReady, memory pressure and cordoned nodes make the cluster Degraded and name the nodes', () => {
    const { nodes, controlPlaneVersion, now } = at('nodes-sick', 4);
    const h = clusterNodeHealth('it', { nodes, controlPlaneVersion }, { now });
    expect(h.status).toBe('Degraded');
    expect(h.nodes).toEqual({ ready: 2, total: 3 });
    expect(codes(h.reasons)).toEqual([
      'nodes-it-node-0:NodeCordoned',
      'nodes-it-node-1:NodeNotReady',
      'nodes-it-node-2:NodeMemoryPressure',
    ]);
    const notReady = h.reasons[1];
    expect(notReady).toMatchObject({
      status: 'Degraded',
      scope: 'node',
      cluster: 'it',
      object: { kind: 'Node', name: 'nodes-it-node-1' },
      kubernetesReason: 'KubeletNotReady',
    });
    expect(notReady.message).toBe('Node nodes-it-node-1: NotReady for 4 min');
    expect(h.reasons[2].kubernetesReason).toBe('KubeletHasInsufficientMemory');
    expect(h.sickNodes?.map(n => [n.name, n.ready, n.unschedulable])).toEqual([
      ['nodes-it-node-0', 'True', true],
      ['nodes-it-node-1', 'False', false],
      ['nodes-it-node-2', 'True', false],
    ]);
    // the not-ready NoExecute taint the controller added is not a second finding
    expect(
      nodes[1].spec?.taints?.some(
        t =>
          t.key === 'node.kubernetes.io/not-ready' && t.effect === 'NoExecute',
      ),
    ).toBe(true);
  });

  it('a Ready condition gone Unknown (kubelet stopped posting) is its own finding', () => {
    const { nodes, now } = at('nodes-healthy');
    const ready = nodes[0].status!.conditions!.find(c => c.type === 'Ready')!;
    // what the node lifecycle controller writes when the lease expires
    ready.status = 'Unknown';
    ready.reason = 'NodeStatusUnknown';
    const n = nodeHealth('it', nodes[0], { now });
    expect(n.ready).toBe('Unknown');
    expect(codes(n.reasons)).toEqual(['nodes-it-node-0:NodeStatusUnknown']);
  });

  it('no Ready node, or no node at all, is Failed', () => {
    const { nodes, now } = at('nodes-healthy');
    for (const n of nodes)
      n.status!.conditions!.find(c => c.type === 'Ready')!.status = 'False';
    expect(clusterNodeHealth('it', { nodes }, { now })).toMatchObject({
      status: 'Failed',
      nodes: { ready: 0, total: 3 },
    });
    expect(
      clusterNodeHealth('it', { nodes: [] }, { now }).reasons.map(r => r.code),
    ).toEqual(['NoNodes']);
  });

  it('a NoExecute taint evicts pods: reported, unlike NoSchedule ones', () => {
    const { nodes, now } = at('nodes-noexecute');
    const h = clusterNodeHealth('it', { nodes }, { now });
    expect(codes(h.reasons)).toEqual(['nodes-it-node-0:NodeNoExecuteTaint']);
    expect(h.reasons[0].message).toContain('dedicated=batch:NoExecute');
  });

  it('kubelet version skew against the API server', () => {
    const { nodes, now } = at('nodes-healthy');
    // kwok reports "kwok-0.8.0", which is no Kubernetes version: no finding
    expect(
      clusterNodeHealth(
        'it',
        { nodes, controlPlaneVersion: 'v1.30.1' },
        { now },
      ).reasons,
    ).toEqual([]);
    nodes[0].status!.nodeInfo!.kubeletVersion = 'v1.26.9';
    nodes[1].status!.nodeInfo!.kubeletVersion = 'v1.27.0';
    nodes[2].status!.nodeInfo!.kubeletVersion = 'v1.31.0';
    const h = clusterNodeHealth(
      'it',
      { nodes, controlPlaneVersion: 'v1.30.1' },
      { now },
    );
    expect(codes(h.reasons)).toEqual([
      'nodes-it-node-0:NodeVersionSkew',
      'nodes-it-node-2:NodeVersionSkew',
    ]);
    expect(h.reasons[0].message).toContain('4 minor versions behind');
    expect(h.reasons[1].message).toContain('newer than the API server');
    expect(h.kubeletVersions).toEqual(['v1.26.9', 'v1.27.0', 'v1.31.0']);
  });

  it('a reader without nodes rights: Unknown with one warning naming the permission', () => {
    const h = clusterNodeHealth('it', { nodesForbidden: true });
    expect(h.status).toBe('Unknown');
    expect(h.reasons).toEqual([
      expect.objectContaining({
        code: 'NodesForbidden',
        scope: 'cluster',
        cluster: 'it',
        permission: 'list/watch nodes',
      }),
    ]);
    expect(h.nodes).toBeUndefined();
  });

  it('a connection error makes the health Unknown, but cached node findings stay', () => {
    const { nodes, now } = at('nodes-sick');
    const h = clusterNodeHealth(
      'it',
      {
        nodes,
        error: { type: 'unreachable', message: 'ECONNREFUSED', since: '' },
      },
      { now },
    );
    expect(h.reasons.map(r => r.code)).toContain('ClusterUnreachable');
    expect(h.status).toBe('Degraded');
  });

  it('the projection keeps what the rules read and little else', () => {
    const { nodes, controlPlaneVersion, now } = at('nodes-sick', 4);
    const projected = nodes.map(projectNode);
    expect(
      clusterNodeHealth(
        'it',
        { nodes: projected, controlPlaneVersion },
        { now },
      ),
    ).toEqual(clusterNodeHealth('it', { nodes, controlPlaneVersion }, { now }));
    const noExecute = at('nodes-noexecute');
    expect(
      clusterNodeHealth(
        'it',
        { nodes: noExecute.nodes.map(projectNode) },
        {
          now: noExecute.now,
        },
      ).reasons.map(r => r.code),
    ).toEqual(['NodeNoExecuteTaint']);
    expect(JSON.stringify(projected[0]).length).toBeLessThan(
      JSON.stringify(nodes[0]).length / 3,
    );
  });

  it('requests of the pods on nodes, against allocatable', () => {
    const pods = deploymentHealthFixtures['prod-catalog-api-healthy'].pods!;
    const r = podRequests(pods);
    expect(r.pods).toBe(pods.length);
    expect(r.cpuMillis).toBeGreaterThan(0);
    expect(r.memoryBytes).toBeGreaterThan(0);
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('32Gi')).toBe(32 * 2 ** 30);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('128974848')).toBe(128974848);
  });
});

describe('a service whose pods run on a sick node', () => {
  // The service fixtures were captured in the dev cluster (nodes dev-node-N);
  // their pods are placed here on the captured kwok nodes of the same index.
  const sick = at('nodes-sick', 4);
  const nodeOf = (name: string) =>
    sick.nodes.find(
      n => n.metadata?.name === name.replace(/^dev-/, 'nodes-it-'),
    );

  it('says which pod is on which sick node, and the node cause leads the reasons', () => {
    // the notifications pod runs on dev-node-0 (here: cordoned, which hurts
    // no running pod); payments on dev-node-2 (under memory pressure)
    const payments = deploymentHealthFixtures['dev-payments-api-healthy'];
    const h = clusterHealth(
      { name: 'dev', environment: 'development' },
      payments,
      { nodeOf },
      { now: sick.now },
    );
    expect(h.status).toBe('Degraded');
    expect(h.reasons[0]).toEqual({
      status: 'Degraded',
      code: 'NodeMemoryPressure',
      scope: 'node',
      cluster: 'dev',
      object: { kind: 'Node', name: 'dev-node-2' },
      kubernetesReason: 'KubeletHasInsufficientMemory',
      message:
        'pod payments-api-744d5564fc-zpgw4 on node dev-node-2: under memory pressure for 4 min',
    });
    const unready = deploymentHealthFixtures['dev-notifications-unready'];
    const u = clusterHealth(
      { name: 'dev', environment: 'development' },
      unready,
      { nodeOf },
      { now: sick.now },
    );
    expect(u.reasons.filter(r => r.scope === 'node')).toEqual([]);
  });

  it('the cluster names the services on each sick node, for the platform team', () => {
    // the same placement: notifications on node-0 (cordoned), payments-api on
    // node-2 (memory pressure), nothing on node-1 (NotReady); a finished pod
    // on node-1 no longer runs there
    const pods = [
      ...deploymentHealthFixtures['dev-payments-api-healthy'].pods!,
      ...deploymentHealthFixtures['dev-notifications-unready'].pods!,
    ].map((p: any) => ({
      ...p,
      spec: {
        ...p.spec,
        nodeName: p.spec.nodeName.replace(/^dev-/, 'nodes-it-'),
      },
    }));
    const done = {
      ...pods[0],
      spec: { ...pods[0].spec, nodeName: 'nodes-it-node-1' },
      status: { ...pods[0].status, phase: 'Succeeded' },
    };
    const h = clusterNodeHealth(
      'dev',
      {
        nodes: sick.nodes,
        pods: [...pods, done],
        controlPlaneVersion: sick.controlPlaneVersion,
        // payments is team-payments' by config; platform by its name
        tenancy: {
          ...DEFAULT_TENANCY_RULES,
          teamNamespaces: { 'group:default/team-payments': ['payments'] },
        },
      },
      { now: sick.now },
    );
    expect(h.sickNodes?.map(n => [n.name, n.services])).toEqual([
      [
        'nodes-it-node-0',
        [
          {
            id: 'notifications',
            namespace: 'platform',
            teams: ['group:default/platform'],
          },
        ],
      ],
      ['nodes-it-node-1', undefined],
      [
        'nodes-it-node-2',
        [
          {
            id: 'payments-api',
            namespace: 'payments',
            teams: ['group:default/team-payments'],
          },
        ],
      ],
    ]);
  });

  it('a NotReady node: "pod X on node Y: NotReady for 4 min", before the pods\' symptoms', () => {
    const unready = deploymentHealthFixtures['dev-notifications-unready'];
    const h = clusterHealth(
      { name: 'dev', environment: 'development' },
      unready,
      // the pod's node is the captured NotReady one
      { nodeOf: () => sick.nodes[1] },
      { now: sick.now },
    );
    expect(h.reasons[0].message).toBe(
      'pod notifications-b8c7bc685-vgks7 on node dev-node-0: NotReady for 4 min',
    );
    expect(h.reasons[0].code).toBe('NodeNotReady');
    expect(h.reasons.slice(1).map(r => r.scope)).not.toContain('node');
    expect(h.reasons.length).toBeGreaterThan(1); // the pods' own findings follow
    // without node data, the report is as before
    expect(
      clusterHealth(
        { name: 'dev', environment: 'development' },
        unready,
        {},
        { now: sick.now },
      ).reasons,
    ).toEqual(h.reasons.slice(1));
  });

  it('several pods on one sick node are one reason', () => {
    const r = nodeImpactReasons(
      'dev',
      [
        { name: 'b', nodeName: 'nodes-it-node-1' },
        { name: 'a', nodeName: 'nodes-it-node-1' },
        { name: 'c', nodeName: 'nodes-it-node-0' },
      ],
      nodeOf,
      { now: sick.now },
    );
    expect(r.map(x => x.message)).toEqual([
      '2 pods (a, b) on node nodes-it-node-1: NotReady for 4 min',
    ]);
  });
});
