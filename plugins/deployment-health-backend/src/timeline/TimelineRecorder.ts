import { LoggerService } from '@backstage/backend-plugin-api';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import {
  clusterHealth,
  deploymentRollouts,
  hpaScale,
  HealthReason,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import type { ClusterCache } from '../cluster/ClusterCache';
import type { ClusterChange } from '../cluster/ClusterCaches';
import { ServiceKey, TimelineStore } from './TimelineStore';

/** Findings kept with a transition: the worst few say why; the rest is noise in a timeline. */
const MAX_REASONS = 5;

const keyOf = (s: ServiceKey) =>
  JSON.stringify([s.cluster, s.namespace, s.kubernetesId]);

/**
 * Turns the changes the watch caches see into timeline rows: after a
 * change of a service's objects in a cluster (and a short settle, so a
 * burst of watch events is one write), it reads the service's objects
 * from the cache and records its rollouts (deploymentRollouts), its
 * autoscalers' rescales (hpaScale) and its status (clusterHealth), each
 * idempotently (see TimelineStore).
 *
 * A cache that is not in sync, or cannot reach its cluster, is not
 * recorded from: its "Unknown" would be about the portal, not the service.
 * Its services are tried again until it is; that is also how a replica
 * that starts (or takes over) catches up with what the cluster shows.
 */
export class TimelineRecorder {
  private readonly pending = new Map<string, ServiceKey>();
  /**
   * What this replica last wrote per service: most changes (a pod's
   * restart count, an event) change neither the rollouts nor the status,
   * and need no database round trip. Only a successful write is kept.
   */
  private readonly written = new Map<
    string,
    { rollouts?: string; scales?: string; status?: string }
  >();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly deps: {
      caches: readonly ClusterCache[];
      store: TimelineStore;
      logger: LoggerService;
      /** Settle time before a change is recorded; also the retry interval for a cache not in sync. */
      settleMs?: number;
      /** As the health views use it (deploymentHealth.recentWindowMinutes). */
      recentWindowMs?: number;
      now?: () => Date;
    },
  ) {}

  notify(change: ClusterChange) {
    if (this.stopped) return;
    const key: ServiceKey = {
      cluster: change.cluster,
      namespace: change.namespace,
      kubernetesId: change.kubernetesId,
    };
    this.pending.set(keyOf(key), key);
    this.schedule();
  }

  private schedule() {
    // One flush at a time: two would share what was written, and an older
    // status could land after a newer one. Changes meanwhile wait for it.
    if (this.timer || this.flushing || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.pending.size) this.schedule();
      });
    }, this.deps.settleMs ?? 1000);
  }

  /** Records every pending service; those whose cache is not ready stay pending. */
  async flush(): Promise<void> {
    const services = [...this.pending.values()];
    this.pending.clear();
    for (const service of services) {
      if (this.stopped) return;
      const cache = this.deps.caches.find(
        c => c.cluster.name === service.cluster,
      );
      if (!cache) continue; // the cluster is gone from the config
      const now = this.deps.now?.() ?? new Date();
      if (!cache.sync.synced || cache.sync.error(now.getTime())) {
        this.pending.set(keyOf(service), service);
        continue;
      }
      try {
        await this.record(cache, service, now);
      } catch (e) {
        // The database may be down: the health views do not depend on it,
        // and the next change of the service records its state again.
        this.deps.logger.warn(
          `Cannot record the timeline of ${service.kubernetesId} in ${service.cluster}/${service.namespace}: ${e}`,
        );
      }
    }
    if (this.pending.size) this.schedule();
  }

  private async record(cache: ClusterCache, service: ServiceKey, now: Date) {
    const objects = cache.index.objectsFor(service.kubernetesId, [
      service.namespace,
    ]);
    const replicaSets = (objects.replicaSets ?? []) as V1ReplicaSet[];
    const rollouts = (objects.deployments ?? []).flatMap(d =>
      deploymentRollouts(d, replicaSets),
    );
    const key = keyOf(service);
    const written = this.written.get(key) ?? {};
    this.written.set(key, written);
    const rolloutsSeen = JSON.stringify(rollouts);
    if (written.rollouts !== rolloutsSeen) {
      await this.deps.store.recordRollouts(service, rollouts, now);
      written.rollouts = rolloutsSeen;
    }

    const scales = (objects.hpas ?? []).flatMap(h => {
      const scale = hpaScale(h);
      return scale ? [scale] : [];
    });
    const scalesSeen = JSON.stringify(scales);
    if (written.scales !== scalesSeen) {
      for (const scale of scales)
        await this.deps.store.recordScale(service, scale);
      written.scales = scalesSeen;
    }

    const deployed = Object.entries(objects).some(
      ([k, v]) => k !== 'events' && (v as unknown[]).length > 0,
    );
    if (!deployed) {
      // deleted: nothing to say a status about, nor to remember
      this.written.delete(key);
      return;
    }
    const health = clusterHealth(
      cache.cluster,
      objects,
      { nodeOf: name => cache.index.node(name) },
      { now, recentWindowMs: this.deps.recentWindowMs },
    );
    // The status alone decides a transition: its reasons' wording (ages,
    // counts) changes all the time.
    if (written.status === health.status) return;
    await this.deps.store.recordStatus(
      service,
      {
        status: health.status,
        reasons: health.reasons.slice(0, MAX_REASONS).map(stripCluster),
      },
      now,
    );
    written.status = health.status;
  }

  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.flushing;
  }
}

/** The row already says which cluster. */
function stripCluster(r: HealthReason): HealthReason {
  const { cluster: _cluster, ...rest } = r;
  return rest;
}
