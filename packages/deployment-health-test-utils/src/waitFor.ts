/** How {@link waitFor} polls. @public */
export interface WaitForOptions {
  /** What is awaited, for the timeout message. */
  what?: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Extra context appended to the timeout message (e.g. captured logs). */
  describe?: () => string;
}

/**
 * Polls `check` until it returns a truthy value and returns that value. A
 * throwing check counts as not yet; on timeout the error names `what` and the
 * last error seen.
 *
 * @public
 */
export async function waitFor<T>(
  check: () =>
    | Promise<T | undefined | null | false>
    | T
    | undefined
    | null
    | false,
  {
    what = 'condition',
    timeoutMs = 10_000,
    intervalMs = 100,
    describe,
  }: WaitForOptions = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= end) break;
    await new Promise(r => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${
      last ? ` (last error: ${last})` : ''
    }${describe ? `\n${describe()}` : ''}`,
  );
}
