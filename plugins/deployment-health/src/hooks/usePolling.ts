import { useCallback, useEffect, useRef, useState } from 'react';

/** Default auto-refresh interval. */
export const DEFAULT_REFRESH_INTERVAL_MS = 10_000;

export interface PollingState<T> {
  /** Last successfully loaded value; kept while refreshing and after a failed refresh. */
  value?: T;
  /** Error of the last attempt, if it failed. */
  error?: Error;
  /** True until the first attempt has finished. */
  loading: boolean;
  /** True while a background refresh is in flight. */
  refreshing: boolean;
  /** When `value` was loaded. */
  updatedAt?: Date;
  /** Fetch now (resets the interval). */
  refresh: () => void;
}

/**
 * Loads a value and reloads it every `intervalMs` without ever unmounting
 * what renders it: the previous value stays until the next one arrives, so
 * expanded rows, focus and scroll position survive a refresh. Polling pauses
 * while the browser tab is hidden and resumes (with an immediate fetch) when
 * it becomes visible again.
 *
 * `key` identifies what is loaded; when it changes, the state is reset.
 */
export function usePolling<T>(
  key: string,
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number = DEFAULT_REFRESH_INTERVAL_MS,
): PollingState<T> {
  const [state, setState] = useState<{
    key: string;
    value?: T;
    error?: Error;
    loading: boolean;
    refreshing: boolean;
    updatedAt?: Date;
  }>({ key, loading: true, refreshing: false });

  const loadRef = useRef(load);
  loadRef.current = load;
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const controller = useRef<AbortController>();
  const tick = useRef<() => void>(() => {});

  useEffect(() => {
    let active = true;
    setState(s =>
      s.key === key ? s : { key, loading: true, refreshing: false },
    );

    const schedule = () => {
      clearTimeout(timer.current);
      if (active && intervalMs > 0) {
        timer.current = setTimeout(run, intervalMs);
      }
    };

    async function run() {
      clearTimeout(timer.current);
      if (typeof document !== 'undefined' && document.hidden) {
        return; // resumed by the visibilitychange listener
      }
      controller.current?.abort();
      const ctrl = new AbortController();
      controller.current = ctrl;
      setState(s => ({ ...s, refreshing: true }));
      try {
        const value = await loadRef.current(ctrl.signal);
        if (!active || ctrl.signal.aborted) return;
        setState({
          key,
          value,
          loading: false,
          refreshing: false,
          updatedAt: new Date(),
        });
      } catch (e) {
        if (!active || ctrl.signal.aborted) return;
        setState(s => ({
          ...s,
          error: e instanceof Error ? e : new Error(String(e)),
          loading: false,
          refreshing: false,
        }));
      }
      schedule();
    }

    tick.current = () => {
      run();
    };
    const onVisibility = () => {
      if (!document.hidden) run();
    };
    document.addEventListener('visibilitychange', onVisibility);
    run();

    return () => {
      active = false;
      clearTimeout(timer.current);
      controller.current?.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [key, intervalMs]);

  const refresh = useCallback(() => tick.current(), []);

  // While the key has just changed, do not show the previous key's data.
  if (state.key !== key) {
    return { loading: true, refreshing: false, refresh };
  }
  return {
    value: state.value,
    error: state.error,
    loading: state.loading,
    refreshing: state.refreshing,
    updatedAt: state.updatedAt,
    refresh,
  };
}

/** Re-renders every `intervalMs` so relative times ("12 s ago") stay current. */
export function useNow(intervalMs: number = 5_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}
