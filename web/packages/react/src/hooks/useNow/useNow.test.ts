// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderHook, update } from '../../../../../src/testing/render';
import { useNow } from './useNow';

describe('useNow', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('refreshes every `ms`, and stops when unmounted', () => {
    const { result, unmount } = renderHook((ms: number) => useNow(ms), 500);
    expect(result.current).toBe(1_000_000);
    update(() => vi.advanceTimersByTime(499));
    expect(result.current).toBe(1_000_000);
    update(() => vi.advanceTimersByTime(1));
    expect(result.current).toBe(1_000_500);
    unmount();
    expect(vi.getTimerCount()).toBe(0);
  });
});
