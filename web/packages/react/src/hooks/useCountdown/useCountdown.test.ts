// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderHook, update } from '../../../../../src/testing/render';
import { useCountdown } from './useCountdown';

const START = Date.parse('2026-11-23T21:00:00.000Z');

describe('useCountdown', () => {
  beforeEach(() => vi.useFakeTimers({ now: START }));
  afterEach(() => vi.useRealTimers());

  it('is null without a deadline, and runs no timer', () => {
    const { result } = renderHook((d: string | null) => useCountdown(d), null);
    expect(result.current).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts whole seconds down to zero, never below', () => {
    const { result } = renderHook(
      (d: string | null) => useCountdown(d),
      '2026-11-23T21:00:02.500Z',
    );
    expect(result.current).toBe(3);
    update(() => vi.advanceTimersByTime(1000));
    expect(result.current).toBe(2);
    update(() => vi.advanceTimersByTime(5000));
    expect(result.current).toBe(0);
  });

  it("reads the deadline on the server's clock", () => {
    // The server runs 2 s ahead of this browser: its deadline comes 2 s sooner here.
    const { result } = renderHook(
      (d: string | null) => useCountdown(d, 2000),
      '2026-11-23T21:00:10.000Z',
    );
    expect(result.current).toBe(8);
  });
});
