import type { RolloutChange, TimelineEntry } from '../timelineTypes';

/** How long after a rollout a failure is still put down to it. @public */
export const ROLLOUT_LINK_WINDOW_MS = 30 * 60_000;

/**
 * The rollout that preceded a transition to Failed or Degraded in the same
 * cluster and namespace: the newest that started at most `windowMs` before
 * it, with the seconds between them ("became Failed 40 s after rollout
 * 0.14.0 → 0.14.1"). Undefined for other transitions, or when no rollout
 * came shortly before.
 *
 * @public
 */
export function precedingRollout(
  entries: readonly TimelineEntry[],
  transition: TimelineEntry,
  windowMs = ROLLOUT_LINK_WINDOW_MS,
): { rollout: RolloutChange; entryId: string; seconds: number } | undefined {
  if (transition.type !== 'transition') return undefined;
  if (!['Failed', 'Degraded'].includes(transition.transition.to))
    return undefined;
  const at = Date.parse(transition.at);
  let best: { entry: TimelineEntry; at: number } | undefined;
  for (const e of entries) {
    if (
      e.type !== 'rollout' ||
      e.cluster !== transition.cluster ||
      e.namespace !== transition.namespace
    )
      continue;
    const started = Date.parse(e.at);
    if (started > at || at - started > windowMs) continue;
    if (!best || started > best.at) best = { entry: e, at: started };
  }
  if (!best || best.entry.type !== 'rollout') return undefined;
  return {
    rollout: best.entry.rollout,
    entryId: best.entry.id,
    seconds: Math.round((at - best.at) / 1000),
  };
}
