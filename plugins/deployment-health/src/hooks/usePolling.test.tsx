import { act, renderHook } from '@testing-library/react';
import { usePolling } from './usePolling';

function setHidden(hidden: boolean) {
  Object.defineProperty(document, 'hidden', {
    configurable: true,
    get: () => hidden,
  });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('usePolling', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.useRealTimers();
    setHidden(false);
  });

  it('keeps the last value while refreshing, polls on an interval and pauses while the tab is hidden', async () => {
    let n = 0;
    const load = jest.fn(async () => ++n);
    const { result } = renderHook(() => usePolling('k', load, 1000));
    expect(result.current.loading).toBe(true);
    await act(async () => {});
    expect(result.current.value).toBe(1);
    expect(result.current.loading).toBe(false);

    await act(async () => {
      jest.advanceTimersByTime(1000);
    });
    expect(result.current.value).toBe(2);

    // hidden: no more requests
    await act(async () => setHidden(true));
    const calls = load.mock.calls.length;
    await act(async () => {
      jest.advanceTimersByTime(5000);
    });
    expect(load.mock.calls.length).toBe(calls);

    // visible again: fetch at once
    await act(async () => setHidden(false));
    expect(load.mock.calls.length).toBe(calls + 1);
  });

  it('keeps the value and reports the error when a refresh fails', async () => {
    let fail = false;
    const load = jest.fn(async () => {
      if (fail) throw new Error('boom');
      return 'ok';
    });
    const { result } = renderHook(() => usePolling('k', load, 1000));
    await act(async () => {});
    fail = true;
    await act(async () => {
      jest.advanceTimersByTime(1000);
    });
    expect(result.current.value).toBe('ok');
    expect(result.current.error?.message).toBe('boom');
  });
});
