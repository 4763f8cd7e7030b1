import type { CoreV1Event } from '@kubernetes/client-node';
import { EventSummary } from '../types';
import { HealthReason } from '../reasons';
import { iso, resolveOptions, RuleOptions, time } from './status';

/** Last time an event happened, across the old and new event fields. @internal */
export function eventTime(e: CoreV1Event): number | undefined {
  return (
    time(e.series?.lastObservedTime as any) ??
    time(e.lastTimestamp) ??
    time(e.eventTime as any) ??
    time(e.firstTimestamp) ??
    time(e.metadata?.creationTimestamp)
  );
}

/**
 * Warning events, newest first, plus one Degraded reason when any happened
 * within the recent window. Older events are listed but do not degrade.
 *
 * @public
 */
export function summarizeEvents(
  events: CoreV1Event[],
  options?: RuleOptions & { limit?: number },
): { events: EventSummary[]; reasons: HealthReason[] } {
  const { now, recentWindowMs } = resolveOptions(options);
  const warnings = events
    .filter(e => e.type === 'Warning')
    .map(e => ({ e, at: eventTime(e) ?? 0 }))
    .sort((a, b) => b.at - a.at);
  const summaries: EventSummary[] = warnings
    .slice(0, options?.limit ?? 20)
    .map(({ e }) => ({
      type: e.type ?? 'Warning',
      reason: e.reason ?? '',
      message: (e.message ?? '').slice(0, 500),
      count: e.series?.count ?? e.count ?? 1,
      ...(iso(new Date(eventTime(e) ?? 0)) && eventTime(e)
        ? { lastTimestamp: iso(new Date(eventTime(e)!)) }
        : {}),
      involvedObject: {
        kind: e.involvedObject?.kind ?? '',
        namespace: e.involvedObject?.namespace,
        name: e.involvedObject?.name ?? '',
      },
    }));
  const recent = warnings.filter(w => now - w.at < recentWindowMs);
  const reasons: HealthReason[] = [];
  if (recent.length > 0) {
    const byReason = new Map<string, number>();
    for (const { e } of recent) {
      byReason.set(
        e.reason ?? '?',
        (byReason.get(e.reason ?? '?') ?? 0) +
          (e.series?.count ?? e.count ?? 1),
      );
    }
    const minutes = Math.round(recentWindowMs / 60_000);
    reasons.push({
      status: 'Degraded',
      code: 'WarningEvent',
      scope: 'workload',
      message: `Warning events in the last ${minutes} min: ${[...byReason]
        .map(([r, n]) => `${r} (x${n})`)
        .join(', ')}`,
      object: summaries[0]?.involvedObject,
    });
  }
  return { events: summaries, reasons };
}
