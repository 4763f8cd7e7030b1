import { useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef, useSignal } from '@backstage/plugin-signals-react';
import {
  HEALTH_SIGNALS_HEARTBEAT_CHANNEL,
  HEALTH_SIGNALS_HEARTBEAT_MS,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { useEffect, useRef, useState } from 'react';
import { PollingState, usePolling } from './usePolling';

/** Missed heartbeats after which the signals connection counts as lost. */
const LOST_AFTER_MS = HEALTH_SIGNALS_HEARTBEAT_MS * 2.5;

/**
 * How often a live page refetches anyway. Signals announce changes of the
 * services' objects, not what changes with time alone or elsewhere: rules
 * that depend on the clock (recent restarts and events, rollout deadlines),
 * a cluster turning stale or unreachable, its nodes, clusters being
 * prepared, or a reader of the details whom the backend's recipients do not
 * name (e.g. a policy of your own that grants more). A minute bounds how old
 * those can be, at a sixth of the polling fallback's requests.
 */
export const LIVE_REFRESH_INTERVAL_MS = 60_000;

/** How the data is kept current. */
export type RefreshMode =
  /** Refetched when the backend signals a change, and once a minute. */
  | { type: 'live' }
  /** Polled, and why signals are not used. */
  | {
      type: 'polling';
      reason: 'unavailable' | 'lost' | 'unsupported' | 'not-recipient';
    };

export interface LiveState<T> extends PollingState<T> {
  mode: RefreshMode;
}

/**
 * Loads a value and refetches it when a signal arrives on `channel`
 * (`@backstage/plugin-signals-react`), and otherwise only every
 * LIVE_REFRESH_INTERVAL_MS while signals work. It polls every `intervalMs`
 * instead when the app has no
 * signals API, when the backend's heartbeat has not come for a while (the
 * connection is lost or the backend publishes none), or when `channel` is
 * undefined (what is shown is not announced by signals). When the heartbeat
 * comes back, it refetches once and stops polling.
 *
 * `receives(value)` says whether this user is among the recipients of the
 * channel's signals (the backend sends them to the owning and platform
 * groups only); once a loaded value says no, it polls. Keep it stable
 * (useCallback): a new function is asked again.
 */
export function useLiveRefresh<T>(
  key: string,
  load: (signal: AbortSignal) => Promise<T>,
  channel: string | undefined,
  intervalMs?: number,
  receives?: (value: T) => boolean,
): LiveState<T> {
  const hasSignals = !!useApiHolder().get(signalApiRef);
  // useSignal needs a channel; an unused one when nothing is announced
  const { lastSignal } = useSignal(channel ?? HEALTH_SIGNALS_HEARTBEAT_CHANNEL);
  const { lastSignal: beat } = useSignal(HEALTH_SIGNALS_HEARTBEAT_CHANNEL);
  const connected = useHeartbeat(hasSignals, beat);

  // What the last loaded value said (before the first load: assume yes).
  const [recipient, setRecipient] = useState(true);

  let mode: RefreshMode = { type: 'live' };
  if (!hasSignals) mode = { type: 'polling', reason: 'unavailable' };
  else if (!channel) mode = { type: 'polling', reason: 'unsupported' };
  else if (!recipient) mode = { type: 'polling', reason: 'not-recipient' };
  else if (!connected) mode = { type: 'polling', reason: 'lost' };

  // a change of mode reloads too
  const state = usePolling(
    key,
    load,
    mode.type === 'live' ? LIVE_REFRESH_INTERVAL_MS : intervalMs,
  );
  useEffect(() => {
    if (state.value !== undefined && receives)
      setRecipient(receives(state.value));
  }, [state.value, receives]);
  const { refresh } = state;
  const seen = useRef(lastSignal);
  useEffect(() => {
    if (channel && lastSignal && lastSignal !== seen.current) refresh();
    seen.current = lastSignal;
  }, [channel, lastSignal, refresh]);
  return { ...state, mode };
}

/** Whether a heartbeat came within LOST_AFTER_MS (counted from mount at first). */
function useHeartbeat(enabled: boolean, beat: unknown): boolean {
  const [connected, setConnected] = useState(true);
  const last = useRef(Date.now());
  useEffect(() => {
    if (beat) {
      last.current = Date.now();
      setConnected(true);
    }
  }, [beat]);
  useEffect(() => {
    if (!enabled) return undefined;
    const id = setInterval(
      () => setConnected(Date.now() - last.current < LOST_AFTER_MS),
      Math.min(5_000, LOST_AFTER_MS / 4),
    );
    return () => clearInterval(id);
  }, [enabled]);
  return connected;
}
