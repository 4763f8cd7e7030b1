import {
  ClusterNodeHealth,
  EntityHealth,
  HealthReason,
  PodHealth,
  WorkloadVersion,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';

/*
 * The smaller forms of the reports. `summarize` is the team view's
 * compact form (for speed); `restrictToSummary` is what a caller without the
 * details permission may see (for tenant isolation): the compact form minus
 * every name, image and Kubernetes message that would tell another team how a
 * service is built or why it fails. `restrictNodeDetails` is a cluster's
 * health for a caller without the node details permission.
 */

/**
 * Team-view form: keep statuses, reasons and pod counts; drop the pod and
 * event lists of workloads and the containers of other pods. Other pods stay
 * listed: a service that runs only bare or Job pods is deployed.
 */
export function summarize(e: EntityHealth): EntityHealth {
  return {
    ...e,
    clusters: e.clusters.map(c => ({
      ...c,
      otherPods: c.otherPods.map(p => ({ ...p, containers: [] })),
      workloads: c.workloads.map(w => ({ ...w, pods: [], events: [] })),
    })),
  };
}

/** Objects a summary may still name: the service's workloads and autoscalers. */
const SUMMARY_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'HorizontalPodAutoscaler',
]);

/**
 * The summary for a caller with `deployment-health.entity.summary.read` only:
 * statuses, reason codes (with Kubernetes' reason word), rollout and pod
 * counts, workload names, versions and cluster errors. No pod names, images, container
 * or event messages, rollout condition messages; reasons about pods get a
 * generic message. Marked `detailsRestricted` so a view can say why.
 */
export function restrictToSummary(e: EntityHealth): EntityHealth {
  const s = summarize(e);
  return {
    ...s,
    reasons: s.reasons.map(restrictReason),
    clusters: s.clusters.map(c => ({
      ...c,
      reasons: c.reasons.map(restrictReason),
      otherPods: c.otherPods.map(restrictPod),
      workloads: c.workloads.map(w => ({
        ...w,
        images: [],
        ...(w.version ? { version: restrictVersion(w.version) } : {}),
        reasons: w.reasons.map(restrictReason),
        rollout: {
          ...w.rollout,
          conditions: w.rollout.conditions.map(
            ({ message: _message, ...condition }) => condition,
          ),
        },
      })),
    })),
    detailsRestricted: true,
  };
}

/**
 * The version of a workload for a summary reader: what runs (version
 * strings, chart, revision, rollout, mix) stays, the images that name the
 * registry and repository do not.
 */
function restrictVersion(v: WorkloadVersion): WorkloadVersion {
  return { ...v, containers: [] };
}

/**
 * Cluster and service findings are about the portal's data (cluster errors
 * are safe to show, see ClusterError.message) and stay as they are; findings
 * about pods and workloads lose the object unless it is a workload, and their
 * message, which quotes pod names and the kubelet's or controller's words.
 */
export function restrictReason(r: HealthReason): HealthReason {
  if (r.scope === 'cluster' || r.scope === 'service') return r;
  const { object, message: _message, ...rest } = r;
  const kept = object && SUMMARY_KINDS.has(object.kind) ? object : undefined;
  return {
    ...rest,
    ...(kept ? { object: kept } : {}),
    message: `${r.code}${r.kubernetesReason ? ` (${r.kubernetesReason})` : ''}${
      kept ? ` on ${kept.kind} ${kept.name}` : ''
    }; details are restricted to the owning team`,
  };
}

/**
 * A pod outside the tracked workloads, without its name, node or owner: it
 * still counts (the service is deployed, and its status shows), as a pod
 * with an empty name.
 */
function restrictPod(p: PodHealth): PodHealth {
  return {
    name: '',
    namespace: p.namespace,
    phase: p.phase,
    ready: p.ready,
    restartCount: p.restartCount,
    containers: [],
    status: p.status,
    reasons: p.reasons.map(restrictReason),
  };
}

/**
 * A cluster's health for a caller without `deployment-health.nodes.read`:
 * whether the cluster is well and how many of its nodes are Ready, which a
 * developer needs to tell a platform problem from their own; not which
 * nodes, their versions or capacity, nor what the pods of all teams request
 * (the platform's inventory). Cluster findings stay (their messages name
 * only the cluster and counts); a node's findings become one per code, with
 * the number of nodes that have it and no name, version or Kubernetes word.
 */
export function restrictNodeDetails(h: ClusterNodeHealth): ClusterNodeHealth {
  const nodeCodes = new Map<
    string,
    { reason: HealthReason; nodes: Set<string | undefined> }
  >();
  const reasons: HealthReason[] = [];
  for (const r of h.reasons) {
    if (r.scope !== 'node') {
      reasons.push(r);
      continue;
    }
    const folded = nodeCodes.get(r.code);
    // counted by node: one node may have a code twice (two NoExecute taints)
    if (folded) {
      folded.nodes.add(r.object?.name);
      continue;
    }
    const reason: HealthReason = {
      status: r.status,
      code: r.code,
      scope: 'node',
      ...(r.cluster ? { cluster: r.cluster } : {}),
      message: '',
    };
    nodeCodes.set(r.code, { reason, nodes: new Set([r.object?.name]) });
    reasons.push(reason);
  }
  for (const { reason, nodes } of nodeCodes.values())
    reason.message = `${reason.code} on ${nodes.size} node${
      nodes.size === 1 ? '' : 's'
    }; node details are restricted to the platform team`;
  return {
    status: h.status,
    reasons,
    ...(h.nodes ? { nodes: h.nodes } : {}),
    nodeDetailsRestricted: true,
  };
}
