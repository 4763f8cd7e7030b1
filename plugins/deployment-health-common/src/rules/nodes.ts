import type { V1Node, V1NodeCondition, V1Pod } from '@kubernetes/client-node';
import { ANNOTATION_KUBERNETES_ID } from '../annotations';
import { HealthReason, HealthReasonCode } from '../reasons';
import { namespaceTeams, TenancyRules } from '../tenancy';
import {
  ClusterError,
  ClusterHealthStatus,
  ClusterNodeHealth,
  NodeHealth,
  NodeResources,
  NodeService,
} from '../reports';
import { clusterErrorReason, clusterSyncingReason } from './clusterReasons';
import {
  findings,
  resolveOptions,
  RuleOptions,
  statusOf,
  time,
} from './status';

/** The node conditions the rules read; others are dropped from the projection. */
const CONDITIONS = [
  'Ready',
  'MemoryPressure',
  'DiskPressure',
  'PIDPressure',
  'NetworkUnavailable',
] as const;

/**
 * Taints the node lifecycle controller sets from the Ready condition: the
 * NotReady finding already says what they mean.
 */
const READY_TAINTS = new Set([
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
]);

/**
 * The part of a Node the rules read, and all a cache needs to keep of it
 * (a real Node is mostly images and addresses: several kilobytes):
 * conditions (status, reason, lastTransitionTime), unschedulable, NoExecute
 * taints, kubelet version and allocatable cpu/memory/pods.
 *
 * @public
 */
export function projectNode(node: V1Node): V1Node {
  const md = node.metadata ?? {};
  const taints = (node.spec?.taints ?? []).filter(
    t => t.effect === 'NoExecute',
  );
  const alloc = node.status?.allocatable ?? {};
  const conditions = (node.status?.conditions ?? [])
    .filter(c => (CONDITIONS as readonly string[]).includes(c.type))
    .map(c => ({
      type: c.type,
      status: c.status,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.lastTransitionTime
        ? { lastTransitionTime: c.lastTransitionTime }
        : {}),
    }));
  return {
    ...(node.kind ? { kind: node.kind } : {}),
    metadata: {
      name: md.name,
      uid: md.uid,
      resourceVersion: md.resourceVersion,
    },
    spec: {
      ...(node.spec?.unschedulable ? { unschedulable: true } : {}),
      ...(taints.length ? { taints } : {}),
    },
    status: {
      conditions,
      allocatable: Object.fromEntries(
        ['cpu', 'memory', 'pods']
          .filter(k => alloc[k] !== undefined)
          .map(k => [k, alloc[k]]),
      ),
      ...(node.status?.nodeInfo?.kubeletVersion
        ? {
            nodeInfo: {
              kubeletVersion: node.status.nodeInfo.kubeletVersion,
            } as any,
          }
        : {}),
    },
  };
}

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * A Kubernetes resource quantity ("500m", "32Gi", "1e3") as a number; 0 for
 * what does not parse.
 *
 * @public
 */
export function parseQuantity(q: string | number | undefined): number {
  if (q === undefined) return 0;
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  const factor = m[2] ? SUFFIX[m[2]] : 1;
  return factor === undefined ? 0 : Number(m[1]) * factor;
}

function resources(list: Record<string, string> | undefined): NodeResources {
  return {
    cpuMillis: Math.round(parseQuantity(list?.cpu) * 1000),
    memoryBytes: Math.round(parseQuantity(list?.memory)),
    pods: Math.round(parseQuantity(list?.pods)),
  };
}

const add = (a: NodeResources, b: NodeResources): NodeResources => ({
  cpuMillis: a.cpuMillis + b.cpuMillis,
  memoryBytes: a.memoryBytes + b.memoryBytes,
  pods: a.pods + b.pods,
});

const NONE: NodeResources = { cpuMillis: 0, memoryBytes: 0, pods: 0 };

/**
 * What pods placed on a node request, as the scheduler counts it: the sum
 * of the containers' requests (or the largest init container's, if more),
 * one pod slot each. Finished pods hold nothing.
 *
 * @public
 */
export function podRequests(pods: readonly V1Pod[]): NodeResources {
  let sum = NONE;
  for (const p of pods) {
    if (!p.spec?.nodeName) continue;
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')
      continue;
    const main = (p.spec.containers ?? [])
      .map(c => resources(c.resources?.requests))
      .reduce(add, NONE);
    const init = (p.spec.initContainers ?? [])
      .map(c => resources(c.resources?.requests))
      .reduce(
        (a, b) => ({
          cpuMillis: Math.max(a.cpuMillis, b.cpuMillis),
          memoryBytes: Math.max(a.memoryBytes, b.memoryBytes),
          pods: 0,
        }),
        NONE,
      );
    sum = add(sum, {
      cpuMillis: Math.max(main.cpuMillis, init.cpuMillis),
      memoryBytes: Math.max(main.memoryBytes, init.memoryBytes),
      pods: 1,
    });
  }
  return sum;
}

/** "for 4 min", for people; the structured time is the condition's. */
function forDuration(since: number | undefined, now: number): string {
  if (since === undefined) return '';
  const min = Math.floor(Math.max(0, now - since) / 60_000);
  if (min < 1) return ' for less than a minute';
  if (min < 120) return ` for ${min} min`;
  const h = Math.floor(min / 60);
  return h < 48 ? ` for ${h} h` : ` for ${Math.floor(h / 24)} d`;
}

const condition = (node: V1Node, type: string): V1NodeCondition | undefined =>
  node.status?.conditions?.find(c => c.type === type);

const PRESSURE = [
  ['MemoryPressure', 'NodeMemoryPressure', 'under memory pressure'],
  ['DiskPressure', 'NodeDiskPressure', 'under disk pressure'],
  ['PIDPressure', 'NodePIDPressure', 'under PID pressure'],
  ['NetworkUnavailable', 'NodeNetworkUnavailable', 'network unavailable'],
] as const;

/** "v1.30.2" -> [1, 30]; undefined for what is not a Kubernetes version (kwok's "kwok-0.8.0"). */
function minorVersion(v: string | undefined): [number, number] | undefined {
  const m = v && /^v?(\d+)\.(\d+)\./.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** How many minor versions a kubelet may be older than its API server (since Kubernetes 1.28). */
const MAX_KUBELET_SKEW = 3;

/**
 * A kubelet version the version skew policy does not support against this
 * API server: newer than it, or more than three minor versions older.
 */
function skew(kubelet: string | undefined, server: string | undefined) {
  const k = minorVersion(kubelet);
  const s = minorVersion(server);
  if (!k || !s) return undefined;
  if (k[0] !== s[0])
    return `kubelet ${kubelet} and API server ${server} differ in major version`;
  const behind = s[1] - k[1];
  if (behind < 0)
    return `kubelet ${kubelet} is newer than the API server ${server} (unsupported)`;
  if (behind > MAX_KUBELET_SKEW)
    return `kubelet ${kubelet} is ${behind} minor versions behind the API server ${server} (supported: up to ${MAX_KUBELET_SKEW})`;
  return undefined;
}

/** One finding about a node, before it is worded for the node or for a pod on it. */
interface NodeProblem {
  code: HealthReasonCode;
  /** e.g. "NotReady for 4 min"; the node's name is added by who words it. */
  what: string;
  kubernetesReason?: string;
  /** Whether it hurts the pods that run there (cordoned and version skew do not). */
  hurtsPods: boolean;
}

/** What is wrong with a node, in the order the views show it. */
function nodeProblems(
  node: V1Node,
  now: number,
  controlPlaneVersion?: string,
): NodeProblem[] {
  const problems: NodeProblem[] = [];
  const ready = condition(node, 'Ready');
  const readyFor = forDuration(time(ready?.lastTransitionTime), now);
  if (ready?.status === 'False')
    problems.push({
      code: 'NodeNotReady',
      what: `NotReady${readyFor}`,
      kubernetesReason: ready.reason,
      hurtsPods: true,
    });
  else if (ready?.status !== 'True')
    problems.push({
      code: 'NodeStatusUnknown',
      what: `status Unknown${readyFor} (the kubelet stopped reporting)`,
      kubernetesReason: ready?.reason,
      hurtsPods: true,
    });
  for (const [type, code, words] of PRESSURE) {
    const c = condition(node, type);
    if (c?.status === 'True')
      problems.push({
        code,
        what: `${words}${forDuration(time(c.lastTransitionTime), now)}`,
        kubernetesReason: c.reason,
        hurtsPods: true,
      });
  }
  if (node.spec?.unschedulable)
    problems.push({
      code: 'NodeCordoned',
      what: 'cordoned (no new pods are scheduled on it)',
      hurtsPods: false,
    });
  for (const t of node.spec?.taints ?? []) {
    if (t.effect !== 'NoExecute' || READY_TAINTS.has(t.key)) continue;
    problems.push({
      code: 'NodeNoExecuteTaint',
      what: `taint ${t.key}${
        t.value ? `=${t.value}` : ''
      }:NoExecute evicts the pods that do not tolerate it`,
      hurtsPods: true,
    });
  }
  const skewed = skew(
    node.status?.nodeInfo?.kubeletVersion,
    controlPlaneVersion,
  );
  if (skewed)
    problems.push({ code: 'NodeVersionSkew', what: skewed, hurtsPods: false });
  return problems;
}

/**
 * The health of one node: its Ready condition (NotReady, or Unknown when
 * the kubelet stopped reporting), pressure conditions, NetworkUnavailable,
 * cordoned, NoExecute taints (other than those that follow Ready) and the
 * kubelet's version skew against the API server, when known.
 *
 * @public
 */
export function nodeHealth(
  cluster: string,
  node: V1Node,
  options: RuleOptions & { controlPlaneVersion?: string } = {},
): NodeHealth {
  const { now } = resolveOptions(options);
  const name = node.metadata?.name ?? '';
  const { reasons, add: found } = findings('node', { kind: 'Node', name });
  for (const p of nodeProblems(node, now, options.controlPlaneVersion))
    found('Degraded', p.code, `Node ${name}: ${p.what}`, p.kubernetesReason);
  for (const r of reasons) r.cluster = cluster;
  const ready = condition(node, 'Ready');
  const readyStatus =
    ready?.status === 'True' || ready?.status === 'False'
      ? ready.status
      : 'Unknown';
  const kubeletVersion = node.status?.nodeInfo?.kubeletVersion;
  const alloc = node.status?.allocatable;
  return {
    name,
    status: statusOf(reasons) as ClusterHealthStatus,
    ready: readyStatus,
    ...(ready?.lastTransitionTime
      ? { readySince: new Date(ready.lastTransitionTime).toISOString() }
      : {}),
    unschedulable: Boolean(node.spec?.unschedulable),
    ...(kubeletVersion ? { kubeletVersion } : {}),
    ...(alloc ? { allocatable: resources(alloc) } : {}),
    reasons,
  };
}

/**
 * What a sick node does to a service: one reason per node that its pods
 * run on and that has a problem that hurts pods (NotReady, Unknown,
 * pressure, NetworkUnavailable, a NoExecute taint; not cordoned or version
 * skew), e.g. "pod orders-1 on node n1: NotReady for 4 min". Scope `node`,
 * the Node as `object`: the cause, which views put before the pods'
 * symptoms. Only the node's problems are told, not its other details.
 *
 * @public
 */
export function nodeImpactReasons(
  cluster: string,
  pods: ReadonlyArray<{ name: string; nodeName?: string }>,
  nodeOf: (name: string) => V1Node | undefined,
  options: RuleOptions = {},
): HealthReason[] {
  const { now } = resolveOptions(options);
  const byNode = new Map<string, string[]>();
  for (const p of pods) {
    if (!p.nodeName) continue;
    byNode.set(p.nodeName, [...(byNode.get(p.nodeName) ?? []), p.name]);
  }
  const reasons: HealthReason[] = [];
  for (const [nodeName, podNames] of [...byNode].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const node = nodeOf(nodeName);
    if (!node) continue;
    const problems = nodeProblems(node, now).filter(p => p.hurtsPods);
    if (problems.length === 0) continue;
    const who =
      podNames.length === 1
        ? `pod ${podNames[0]}`
        : `${podNames.length} pods (${podNames.sort().join(', ')})`;
    for (const p of problems)
      reasons.push({
        status: 'Degraded',
        code: p.code,
        scope: 'node',
        cluster,
        object: { kind: 'Node', name: nodeName },
        message: `${who} on node ${nodeName}: ${p.what}`,
        ...(p.kubernetesReason ? { kubernetesReason: p.kubernetesReason } : {}),
      });
  }
  return reasons;
}

/**
 * The services whose pods are placed on each node (by the pods'
 * kubernetes-id label, the index key), each once, sorted by namespace and id.
 * Finished pods do not count: they no longer run there.
 */
function servicesByNode(
  pods: readonly V1Pod[],
  tenancy?: TenancyRules,
): Map<string, NodeService[]> {
  const byNode = new Map<string, Map<string, NodeService>>();
  for (const p of pods) {
    const node = p.spec?.nodeName;
    const id = p.metadata?.labels?.[ANNOTATION_KUBERNETES_ID];
    if (!node || !id) continue;
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')
      continue;
    const namespace = p.metadata?.namespace ?? '';
    const services = byNode.get(node) ?? new Map<string, NodeService>();
    const teams = tenancy ? namespaceTeams(namespace, tenancy) : [];
    services.set(`${namespace}/${id}`, {
      id,
      namespace,
      ...(teams.length ? { teams } : {}),
    });
    byNode.set(node, services);
  }
  return new Map(
    [...byNode].map(([node, services]) => [
      node,
      [...services.values()].sort(
        (a, b) =>
          a.namespace.localeCompare(b.namespace) || a.id.localeCompare(b.id),
      ),
    ]),
  );
}

/**
 * The health of a cluster itself, beside its connectivity: Failed when it
 * has no node or no Ready node (no pod can run), Degraded when any node has
 * a finding (see nodeHealth), Unknown when its data is missing (a
 * connection error, the first sync, or a reader that may not list nodes),
 * else Healthy. Also the numbers a platform engineer reads: nodes ready of
 * total, allocatable against requested, the versions, and on each sick
 * node the services whose pods run there.
 *
 * @public
 */
export function clusterNodeHealth(
  cluster: string,
  input: {
    /** The cluster's nodes; undefined when they are not known. */
    nodes?: readonly V1Node[];
    /** Pods whose requests count against the nodes' allocatable. */
    pods?: readonly V1Pod[];
    /** The API server's gitVersion. */
    controlPlaneVersion?: string;
    /** Who owns which namespace: names the teams of the services on sick nodes. */
    tenancy?: TenancyRules;
    /** The reader may not list/watch nodes (RBAC). */
    nodesForbidden?: boolean;
    error?: ClusterError;
    syncing?: boolean;
  },
  options: RuleOptions = {},
): ClusterNodeHealth {
  const reasons: HealthReason[] = [];
  const { controlPlaneVersion } = input;
  const known = !input.nodesForbidden && input.nodes !== undefined;
  const nodes = known
    ? (input.nodes ?? [])
        .map(n => nodeHealth(cluster, n, { ...options, controlPlaneVersion }))
        .sort((a, b) => a.name.localeCompare(b.name))
    : [];
  const services = servicesByNode(input.pods ?? [], input.tenancy);
  // which services a sick node hurts: what a platform engineer asks next
  const sick = nodes
    .filter(n => n.reasons.length > 0)
    .map(n => {
      const here = services.get(n.name);
      return here ? { ...n, services: here } : n;
    });
  reasons.push(...sick.flatMap(n => n.reasons));
  const ready = nodes.filter(n => n.ready === 'True').length;
  if (known && !input.syncing && nodes.length === 0)
    reasons.push({
      status: 'Failed',
      code: 'NoNodes',
      scope: 'cluster',
      cluster,
      message: `Cluster ${cluster}: no nodes, so no pod can run`,
    });
  else if (known && nodes.length > 0 && ready === 0)
    reasons.push({
      status: 'Failed',
      code: 'NoNodeReady',
      scope: 'cluster',
      cluster,
      message: `Cluster ${cluster}: none of its ${nodes.length} nodes is Ready`,
    });
  if (input.nodesForbidden)
    reasons.push({
      status: 'Unknown',
      code: 'NodesForbidden',
      scope: 'cluster',
      cluster,
      permission: 'list/watch nodes',
      message: `Cluster ${cluster}: the reader may not list/watch nodes (RBAC), so node health is not known; workloads are still reported`,
    });
  if (input.error) reasons.push(clusterErrorReason(cluster, input.error));
  else if (input.syncing) reasons.push(clusterSyncingReason(cluster));
  const versions = [
    ...new Set(
      nodes.flatMap(n => (n.kubeletVersion ? [n.kubeletVersion] : [])),
    ),
  ].sort();
  return {
    status: statusOf(reasons) as ClusterHealthStatus,
    reasons,
    ...(known
      ? {
          nodes: { ready, total: nodes.length },
          allocatable: nodes.map(n => n.allocatable ?? NONE).reduce(add, NONE),
          requested: podRequests(input.pods ?? []),
          kubeletVersions: versions,
          sickNodes: sick,
        }
      : {}),
    ...(controlPlaneVersion ? { controlPlaneVersion } : {}),
  };
}
