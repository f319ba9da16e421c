// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderHook, update } from '../../testing/render';
import { useCountUp } from './useCountUp';

const START = Date.parse('2026-11-23T21:00:10.000Z');

describe('useCountUp', () => {
  beforeEach(() => vi.useFakeTimers({ now: START }));
  afterEach(() => vi.useRealTimers());

  it('is 0 without a start, and runs no timer', () => {
    const { result } = renderHook((since: string | null) => useCountUp(since), null);
    expect(result.current).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts the time since the start, every second', () => {
    const { result } = renderHook(
      (since: string | null) => useCountUp(since),
      '2026-11-23T21:00:00.000Z',
    );
    expect(result.current).toBe(10_000);
    update(() => vi.advanceTimersByTime(1000));
    expect(result.current).toBe(11_000);
  });

  it('never goes below 0 when the start is ahead of this clock', () => {
    const { result } = renderHook(
      (since: string | null) => useCountUp(since),
      '2026-11-23T21:00:15.000Z',
    );
    expect(result.current).toBe(0);
  });
});
