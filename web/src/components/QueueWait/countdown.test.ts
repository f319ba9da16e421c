import { describe, expect, it } from 'vitest';
import { COUNTDOWN_FLOOR_S, remainingWait } from './countdown';

describe('remainingWait', () => {
  it('counts down from the estimate heard, never below the floor while it lasts', () => {
    expect(remainingWait(300, 1000, 1000)).toBe(300);
    expect(remainingWait(300, 1000, 61_000)).toBe(240);
    expect(remainingWait(300, 0, 290_000)).toBe(COUNTDOWN_FLOOR_S);
    expect(remainingWait(10, 0, 5_000)).toBe(10); // A short estimate is its own floor.
    expect(remainingWait(10, 0, 60_000)).toBe(10); // Past it, but not by a minute yet.
  });

  it('is overdue a minute after the estimate has passed, and null without one', () => {
    expect(remainingWait(300, 0, 359_000)).toBe(COUNTDOWN_FLOOR_S);
    expect(remainingWait(300, 0, 360_000)).toBe('overdue');
    expect(remainingWait(null, 0, 0)).toBeNull();
  });
});
