/** "12 s", "5 min", "3 h", "2 d" between two instants (never negative). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** "12 s ago" for an ISO timestamp, or undefined when there is none. */
export function formatAgo(
  iso: string | Date | undefined,
  now: Date,
): string | undefined {
  if (!iso) return undefined;
  const t = typeof iso === 'string' ? Date.parse(iso) : iso.getTime();
  if (Number.isNaN(t)) return undefined;
  return `${formatDuration(now.getTime() - t)} ago`;
}

/** Age of something started at `iso`: "5 min". */
export function formatAge(iso: string | undefined, now: Date): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  return formatDuration(now.getTime() - t);
}

/** Splits an image reference into repository and tag/digest for display. */
export function splitImage(image: string): { repository: string; tag: string } {
  const at = image.indexOf('@');
  if (at >= 0) {
    return {
      repository: image.slice(0, at),
      tag: image.slice(at + 1, at + 20),
    };
  }
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon > slash) {
    return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
  }
  return { repository: image, tag: 'latest' };
}

export function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}
