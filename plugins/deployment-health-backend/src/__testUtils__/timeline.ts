import type { TimelineEntry } from '@shipyard-platform/backstage-plugin-deployment-health-common';

/** One timeline entry as a short line, for comparing timelines in tests. */
export function entryLine(e: TimelineEntry): string {
  if (e.type === 'rollout') {
    const r = e.rollout;
    return `rollout ${r.revision} ${r.from}>${r.to} ${r.result}`;
  }
  if (e.type === 'scale') return `scale ${e.scale.from ?? '-'}>${e.scale.to}`;
  return `${e.transition.from ?? '-'}>${e.transition.to}`;
}
