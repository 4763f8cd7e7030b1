import {
  DatabaseService,
  LifecycleService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { ClusterCaches } from '../cluster/ClusterCaches';
import type { TimelineOptions } from './options';
import { TimelineRecorder } from './TimelineRecorder';
import { TimelineStore } from './TimelineStore';

export { readTimelineOptions } from './options';
export type { TimelineOptions } from './options';
export { TimelineService } from './TimelineService';
export { TimelineStore } from './TimelineStore';
export { TimelineRecorder } from './TimelineRecorder';

/** The prune task's id: one run at a time across replicas (scope global). */
export const PRUNE_TASK_ID = 'deployment-health-timeline-prune';

/**
 * Wires the timeline: the store (migrated), a recorder fed by the caches'
 * changes, and the prune task. Returns the store for the API, or undefined
 * when the timeline is switched off (then it does not touch the database).
 */
export async function setUpTimeline(deps: {
  options: TimelineOptions;
  database: DatabaseService;
  scheduler: SchedulerService;
  lifecycle: LifecycleService;
  logger: LoggerService;
  caches: ClusterCaches;
  recentWindowMs: number;
}): Promise<TimelineStore | undefined> {
  const { options, logger } = deps;
  if (!options.enabled) return undefined;
  const store = await TimelineStore.create(deps.database);
  const recorder = new TimelineRecorder({
    caches: deps.caches.list,
    store,
    logger,
    recentWindowMs: deps.recentWindowMs,
  });
  deps.caches.onChange(change => recorder.notify(change));
  deps.lifecycle.addShutdownHook(() => recorder.stop());
  await deps.scheduler.scheduleTask({
    id: PRUNE_TASK_ID,
    // global: the scheduler's lock runs it on one replica at a time
    scope: 'global',
    frequency: { hours: 1 },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      const deleted = await store.prune({
        olderThan: new Date(Date.now() - options.retentionDays * 86_400_000),
        maxPerService: options.maxEntriesPerService,
      });
      if (deleted) logger.info(`Pruned ${deleted} timeline entries`);
    },
  });
  return store;
}
