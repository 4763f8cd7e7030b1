import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { ContainerHealth, ObjectRef, PodHealth } from '../types';
import { FAILED_CONTAINER_REASONS, HealthReasonCode } from '../reasons';
import {
  findings,
  iso,
  resolveOptions,
  RuleOptions,
  statusOf,
  time,
} from './status';

const FAILED_WAITING_REASONS: ReadonlySet<string> = new Set(
  FAILED_CONTAINER_REASONS,
);

function containerHealth(
  status: V1ContainerStatus | undefined,
  name: string,
  image: string,
  init: boolean,
): ContainerHealth {
  const state = status?.state;
  const last = status?.lastState?.terminated;
  let s: ContainerHealth['state'] = 'unknown';
  let reason: string | undefined;
  let message: string | undefined;
  if (state?.running) s = 'running';
  else if (state?.waiting) {
    s = 'waiting';
    reason = state.waiting.reason;
    message = state.waiting.message;
  } else if (state?.terminated) {
    s = 'terminated';
    reason = state.terminated.reason;
    message = state.terminated.message;
  }
  return {
    name,
    image:
      status?.image && !status.image.startsWith('sha256:')
        ? status.image
        : image,
    ...(init ? { init: true } : {}),
    ready: status?.ready ?? false,
    restartCount: status?.restartCount ?? 0,
    state: s,
    ...(reason ? { reason } : {}),
    ...(message ? { message: message.slice(0, 500) } : {}),
    ...(last
      ? {
          lastTermination: {
            reason: last.reason,
            exitCode: last.exitCode,
            finishedAt: iso(last.finishedAt),
          },
        }
      : {}),
  };
}

/** Owner of a pod (ReplicaSet, StatefulSet, DaemonSet, Job), if any. @internal */
export function controllerOf(obj: {
  metadata?: {
    ownerReferences?: Array<{
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
    }>;
  };
}) {
  const refs = obj.metadata?.ownerReferences ?? [];
  return refs.find(r => r.controller) ?? refs[0];
}

/**
 * Health of one pod: phase, scheduling, and every container's state.
 *
 * @public
 */
export function podHealth(pod: V1Pod, options?: RuleOptions): PodHealth {
  const { now, recentWindowMs, startupGraceMs } = resolveOptions(options);
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  const ref: ObjectRef = { kind: 'Pod', namespace, name };
  const phase = pod.status?.phase ?? 'Unknown';
  const startedAt = time(
    pod.status?.startTime ?? pod.metadata?.creationTimestamp,
  );
  const young = startedAt !== undefined && now - startedAt < startupGraceMs;

  const byName = (list?: V1ContainerStatus[]) =>
    new Map((list ?? []).map(c => [c.name, c]));
  const statuses = byName(pod.status?.containerStatuses);
  const initStatuses = byName(pod.status?.initContainerStatuses);
  const containers: ContainerHealth[] = [
    ...(pod.spec?.initContainers ?? []).map(c =>
      containerHealth(initStatuses.get(c.name), c.name, c.image ?? '', true),
    ),
    ...(pod.spec?.containers ?? []).map(c =>
      containerHealth(statuses.get(c.name), c.name, c.image ?? '', false),
    ),
  ];

  const { reasons, add } = findings('pod', ref);

  if (pod.metadata?.deletionTimestamp) {
    add('Progressing', 'Terminating', `Pod ${name} is terminating`);
  } else if (phase === 'Succeeded') {
    // Completed (Job) pods are healthy; their containers are terminated on purpose.
  } else if (phase === 'Failed') {
    add(
      'Failed',
      'PodFailed',
      pod.status?.message ?? `Pod ${name} failed`,
      pod.status?.reason,
    );
  } else {
    const scheduled = pod.status?.conditions?.find(
      c => c.type === 'PodScheduled',
    );
    if (scheduled?.status === 'False') {
      add(
        young ? 'Progressing' : 'Degraded',
        'Unschedulable',
        scheduled.message ?? `Pod ${name} cannot be scheduled`,
        scheduled.reason,
      );
    }
    for (const c of containers) {
      const label = `${c.init ? 'Init container' : 'Container'} ${
        c.name
      } of pod ${name}`;
      if (
        c.state === 'waiting' &&
        c.reason &&
        FAILED_WAITING_REASONS.has(c.reason)
      ) {
        const oom =
          c.lastTermination?.reason === 'OOMKilled'
            ? ' (last exit: OOMKilled)'
            : '';
        add(
          'Failed',
          c.reason as HealthReasonCode,
          `${label} is waiting: ${c.reason}${oom}${
            c.message ? `: ${c.message}` : ''
          }`,
        );
        if (oom)
          add(
            'Failed',
            'OOMKilled',
            `${label} was killed for exceeding its memory limit`,
          );
        continue;
      }
      if (c.state === 'terminated' && c.init && c.reason === 'Completed')
        continue;
      if (c.state === 'terminated' && !c.init && c.reason !== 'Completed') {
        add(
          'Failed',
          'ContainerTerminated',
          `${label} terminated: ${c.reason ?? 'unknown reason'}`,
          c.reason,
        );
        continue;
      }
      const lastAt = time(c.lastTermination?.finishedAt);
      if (
        c.restartCount > 0 &&
        lastAt !== undefined &&
        now - lastAt < recentWindowMs
      ) {
        const why = c.lastTermination?.reason ?? 'Error';
        add(
          'Degraded',
          why === 'OOMKilled' ? 'OOMKilled' : 'ContainerRestarts',
          `${label} restarted ${c.restartCount} time(s), last exit: ${why}${
            c.lastTermination?.exitCode !== undefined
              ? ` (code ${c.lastTermination.exitCode})`
              : ''
          }`,
        );
      }
      if (c.init) continue;
      if (
        c.state === 'waiting' ||
        (c.state === 'running' && !c.ready) ||
        c.state === 'unknown'
      ) {
        if (phase === 'Pending' || young) {
          add(
            'Progressing',
            'ContainerStarting',
            `${label} is starting`,
            c.reason,
          );
        } else {
          add(
            'Degraded',
            'ContainerNotReady',
            `${label} is not ready${c.reason ? `: ${c.reason}` : ''}`,
          );
        }
      }
    }
  }

  const owner = controllerOf(pod);
  const ready =
    pod.status?.conditions?.find(c => c.type === 'Ready')?.status === 'True';
  return {
    name,
    namespace,
    phase,
    ready,
    restartCount: containers.reduce(
      (n, c) => n + (c.init ? 0 : c.restartCount),
      0,
    ),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    ...(startedAt !== undefined
      ? { startedAt: new Date(startedAt).toISOString() }
      : {}),
    ...(owner
      ? { owner: { kind: owner.kind, namespace, name: owner.name } }
      : {}),
    containers,
    status: statusOf(reasons),
    reasons,
  };
}
