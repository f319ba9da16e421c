// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { Ringer, type Call } from '@switchboard/client';
import { makeCall } from '../../../../client/src/test/fakes';
import { renderHook } from '../../../../../src/testing/render';
import { useRinger } from './useRinger';

describe('useRinger', () => {
  let ring: MockInstance<Ringer['ring']>;
  let stop: MockInstance<Ringer['stop']>;
  beforeEach(() => {
    ring = vi.spyOn(Ringer.prototype, 'ring').mockImplementation(() => undefined);
    stop = vi.spyOn(Ringer.prototype, 'stop').mockImplementation(() => undefined);
  });
  afterEach(() => vi.restoreAllMocks());

  it('rings for the oldest incoming call, once per set of calls, and stops when none is left', () => {
    const { rerender, unmount } = renderHook((calls: Call[]) => useRinger(calls), [] as Call[]);
    expect(ring).not.toHaveBeenCalled();
    const first = makeCall();
    rerender([first]);
    expect(ring).toHaveBeenCalledExactlyOnceWith({
      callId: 'call-1',
      title: 'Carla is calling',
      body: 'Switchboard: incoming video call',
    });
    rerender([first]); // A new array with the same calls: no new ring.
    expect(ring).toHaveBeenCalledOnce();
    stop.mockClear();
    rerender([]);
    expect(stop).toHaveBeenCalled();
    stop.mockClear();
    unmount();
    expect(stop).toHaveBeenCalled(); // No sound left behind.
  });

  it('unlock is the ringer’s (a click lets the page play sound)', async () => {
    const unlock = vi.spyOn(Ringer.prototype, 'unlock').mockResolvedValue(true);
    const { result } = renderHook((calls: Call[]) => useRinger(calls), [] as Call[]);
    expect(result.current.state).toBe('silent');
    expect(await result.current.unlock()).toBe(true);
    expect(unlock).toHaveBeenCalledOnce();
  });
});
