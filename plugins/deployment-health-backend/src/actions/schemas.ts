import type { z as zod } from 'zod/v3';
import {
  HEALTH_REASON_CODES,
  HEALTH_STATUSES,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';

/*
 * Zod forms of the health report types of deployment-health-common
 * (reports.ts, types.ts, versionTypes.ts, reasons.ts), for the actions'
 * output schemas. The actions registry validates an action's output against
 * its schema and keeps only the keys the schema names, so these list exactly
 * the report's fields: nothing else (no raw Kubernetes object, no env value)
 * can reach an agent, and a field added to the report without being added
 * here is dropped rather than leaked. schemas.test.ts checks that each form
 * and its TypeScript type stay the same type.
 *
 * Built from the `z` the registry passes (zod/v3), as its schema callbacks
 * ask.
 */

type Z = typeof zod;

export function healthSchemas(z: Z) {
  const status = z.enum(HEALTH_STATUSES);
  const objectRef = z.object({
    kind: z.string(),
    namespace: z.string().optional(),
    name: z.string(),
  });
  const reason = z.object({
    status,
    code: z.enum(HEALTH_REASON_CODES),
    scope: z.enum(['pod', 'workload', 'cluster', 'node', 'service']),
    message: z.string(),
    cluster: z.string().optional(),
    object: objectRef.optional(),
    kubernetesReason: z.string().optional(),
    annotation: z.string().optional(),
    permission: z.string().optional(),
  });
  const clusterError = z.object({
    type: z.enum([
      'unreachable',
      'unauthorized',
      'forbidden',
      'timeout',
      'stale',
      'misconfigured',
      'unknown',
    ]),
    message: z.string(),
    statusCode: z.number().optional(),
    since: z.string(),
  });
  const container = z.object({
    name: z.string(),
    image: z.string(),
    init: z.boolean().optional(),
    ready: z.boolean(),
    restartCount: z.number(),
    state: z.enum(['running', 'waiting', 'terminated', 'unknown']),
    reason: z.string().optional(),
    message: z.string().optional(),
    lastTermination: z
      .object({
        reason: z.string().optional(),
        exitCode: z.number().optional(),
        finishedAt: z.string().optional(),
      })
      .optional(),
  });
  const pod = z.object({
    name: z.string(),
    namespace: z.string(),
    phase: z.string(),
    ready: z.boolean(),
    restartCount: z.number(),
    nodeName: z.string().optional(),
    startedAt: z.string().optional(),
    owner: objectRef.optional(),
    containers: z.array(container),
    status,
    reasons: z.array(reason),
  });
  const rollout = z.object({
    desired: z.number(),
    current: z.number(),
    updated: z.number(),
    ready: z.number(),
    available: z.number(),
    observedLatestGeneration: z.boolean(),
    conditions: z.array(
      z.object({
        type: z.string(),
        status: z.string(),
        reason: z.string().optional(),
        message: z.string().optional(),
        lastTransitionTime: z.string().optional(),
      }),
    ),
    complete: z.boolean(),
    revision: z.string().optional(),
  });
  const hpa = z.object({
    name: z.string(),
    minReplicas: z.number(),
    maxReplicas: z.number(),
    currentReplicas: z.number(),
    desiredReplicas: z.number(),
    atMax: z.boolean(),
    metrics: z.array(
      z.object({
        name: z.string(),
        current: z.string().optional(),
        target: z.string().optional(),
      }),
    ),
  });
  const event = z.object({
    type: z.string(),
    reason: z.string(),
    message: z.string(),
    count: z.number(),
    lastTimestamp: z.string().optional(),
    involvedObject: objectRef,
  });
  const workloadKind = z.enum(['Deployment', 'StatefulSet', 'DaemonSet']);
  const chart = z.object({ name: z.string(), version: z.string() });
  const versionRollout = z.object({
    from: z.string(),
    to: z.string(),
    state: z.enum(['progressing', 'stuck']),
    startedAt: z.string().optional(),
  });
  const workloadVersion = z.object({
    version: z.string().optional(),
    source: z.enum(['image', 'label', 'unknown']),
    containers: z.array(
      z.object({
        name: z.string(),
        image: z.string(),
        tag: z.string().optional(),
        digest: z.string().optional(),
      }),
    ),
    chart: chart.optional(),
    appVersion: z.string().optional(),
    helmRelease: z.string().optional(),
    revision: z.string().optional(),
    since: z.string().optional(),
    replicas: z.array(
      z.object({ version: z.string(), pods: z.number(), ready: z.number() }),
    ),
    mixed: z.boolean(),
    rollout: versionRollout.optional(),
  });
  const workload = z.object({
    kind: workloadKind,
    name: z.string(),
    namespace: z.string(),
    status,
    reasons: z.array(reason),
    images: z.array(z.string()),
    rollout,
    version: workloadVersion.optional(),
    hpa: hpa.optional(),
    podSummary: z.object({
      total: z.number(),
      ready: z.number(),
      unhealthy: z.number(),
      restarts: z.number(),
    }),
    pods: z.array(pod),
    events: z.array(event),
  });
  const clusterHealth = z.object({
    cluster: z.string(),
    title: z.string().optional(),
    environment: z.string(),
    status,
    reasons: z.array(reason),
    workloads: z.array(workload),
    otherPods: z.array(pod),
    error: clusterError.optional(),
    lastSyncedAt: z.string().optional(),
    stale: z.boolean().optional(),
    source: z.enum(['cache', 'query']),
    truncated: z.boolean().optional(),
  });
  const serviceVersions = z.object({
    environments: z.array(
      z.object({
        environment: z.string(),
        workloads: z.array(
          z.object({
            kind: workloadKind,
            name: z.string(),
            version: z.string().optional(),
            versions: z.array(z.string()),
            clusters: z.array(z.string()),
            mixed: z.boolean(),
            rollout: versionRollout.extend({ cluster: z.string() }).optional(),
            since: z.string().optional(),
            chart: chart.optional(),
          }),
        ),
      }),
    ),
    drift: z.array(
      z.object({
        kind: z.enum(['behind', 'different']),
        workload: z.object({ kind: workloadKind, name: z.string() }),
        environment: z.string(),
        version: z.string(),
        comparedTo: z.string(),
        comparedToVersion: z.string(),
        since: z.string().optional(),
      }),
    ),
  });
  const entityHealth = z.object({
    entityRef: z.string(),
    title: z.string().optional(),
    status,
    reasons: z.array(reason),
    clusters: z.array(clusterHealth),
    versions: serviceVersions.optional(),
    detailsRestricted: z.boolean().optional(),
  });
  const clusterHealthStatus = z.enum([
    'Healthy',
    'Degraded',
    'Failed',
    'Unknown',
  ]);
  const nodeResources = z.object({
    cpuMillis: z.number(),
    memoryBytes: z.number(),
    pods: z.number(),
  });
  const nodeHealth = z.object({
    name: z.string(),
    status: clusterHealthStatus,
    ready: z.enum(['True', 'False', 'Unknown']),
    readySince: z.string().optional(),
    unschedulable: z.boolean(),
    kubeletVersion: z.string().optional(),
    allocatable: nodeResources.optional(),
    reasons: z.array(reason),
    services: z
      .array(
        z.object({
          id: z.string(),
          namespace: z.string(),
          teams: z.array(z.string()).optional(),
        }),
      )
      .optional(),
  });
  const clusterNodeHealth = z.object({
    status: clusterHealthStatus,
    reasons: z.array(reason),
    nodes: z.object({ ready: z.number(), total: z.number() }).optional(),
    allocatable: nodeResources.optional(),
    requested: nodeResources.optional(),
    controlPlaneVersion: z.string().optional(),
    kubeletVersions: z.array(z.string()).optional(),
    sickNodes: z.array(nodeHealth).optional(),
    nodeDetailsRestricted: z.boolean().optional(),
  });
  const clusterStatus = z.object({
    name: z.string(),
    title: z.string().optional(),
    environment: z.string(),
    state: z.enum(['ok', 'syncing', 'error']),
    error: clusterError.optional(),
    lastSyncedAt: z.string().optional(),
    stale: z.boolean().optional(),
    objectCounts: z.record(z.number()).optional(),
    health: clusterNodeHealth.optional(),
  });

  const preparing = z.object({
    message: z.string(),
    step: z.number().optional(),
    steps: z.number().optional(),
  });

  return {
    entityHealthResponse: entityHealth.extend({ generatedAt: z.string() }),
    groupHealthResponse: z.object({
      groupRef: z.string(),
      groupRefs: z.array(z.string()),
      status,
      entities: z.array(entityHealth.extend({ owner: z.string() })),
      componentsLeftOut: z.number().optional(),
      clusters: z.array(clusterStatus),
      preparing: preparing.optional(),
      generatedAt: z.string(),
    }),
    clustersResponse: z.object({
      clusters: z.array(clusterStatus),
      preparing: preparing.optional(),
    }),
  };
}
