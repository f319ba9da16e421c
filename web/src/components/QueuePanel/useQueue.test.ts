// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Call, SwitchboardClient } from '@switchboard/client';
import { makeCall } from '../../../packages/client/src/test/fakes';
import { renderHook, updateAsync } from '../../testing/render';
import { useQueue, type QueueView } from './useQueue';

/** A client whose GET /v1/queue answers `calls` and counts the reads. */
function fakeClient(calls: Call[]) {
  const queue = vi.fn(() => Promise.resolve({ calls }));
  return { client: { rest: { queue } } as unknown as SwitchboardClient, queue };
}

/** Past the debounce, with the answer applied. */
const afterDebounce = () => updateAsync(async () => void vi.advanceTimersByTime(150));

describe('useQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reads the queue when the board moves, and never on a timer', async () => {
    const waiting = [makeCall({ id: 'q1', state: 'queued' })];
    const { client, queue } = fakeClient(waiting);
    const { result, rerender } = renderHook<string, QueueView>((key) => useQueue(client, key), '1');
    await afterDebounce();
    expect(queue).toHaveBeenCalledTimes(1);
    expect(result.current.calls).toEqual(waiting);

    // A quiet board: no read however long the console stays open.
    await updateAsync(async () => void vi.advanceTimersByTime(60_000));
    expect(queue).toHaveBeenCalledTimes(1);

    // A board.updated (a call joined or left the queue): read again.
    rerender('2');
    await afterDebounce();
    expect(queue).toHaveBeenCalledTimes(2);
  });

  it('reads once for board messages that come together', async () => {
    const { client, queue } = fakeClient([]);
    const { rerender } = renderHook<string, QueueView>((key) => useQueue(client, key), '1');
    rerender('2');
    rerender('3');
    await afterDebounce();
    expect(queue).toHaveBeenCalledTimes(1);
  });
});
