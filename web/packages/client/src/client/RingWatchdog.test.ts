/** Staff rings stop at their deadline here even when the server's update is lost. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallStore, type Notice } from '../call/CallStore';
import { RestClient } from '../rest/RestClient';
import { fakeFetch, makeCall } from '../test/fakes';
import { RingWatchdog } from './RingWatchdog';

function watched(routes: Parameters<typeof fakeFetch>[0] = {}) {
  const { fetch, requests } = fakeFetch(routes);
  const store = new CallStore('staff');
  const rest = new RestClient({ getToken: () => 'jwt', fetch });
  const notices: Notice[] = [];
  store.on('notice', (n) => notices.push(n));
  return { store, watchdog: new RingWatchdog(store, rest), notices, requests };
}

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

describe('RingWatchdog', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('stops the ring at the deadline, says it was missed and asks the server', async () => {
    const { store, notices, requests } = watched({
      'GET /calls/call-1': {
        status: 200,
        body: makeCall({ state: 'missed', version: 2, end_reason: 'timeout' }),
      },
    });
    store.applyServerCall(makeCall({ ring_deadline: inSeconds(3) }));
    expect(store.getSnapshot().incoming).toHaveLength(1);
    vi.advanceTimersByTime(3400); // Past the deadline, within the grace the server's update gets.
    expect(store.getSnapshot().incoming).toHaveLength(1);
    vi.advanceTimersByTime(200);
    expect(store.getSnapshot().incoming).toHaveLength(0);
    expect(notices.map((n) => n.text)).toEqual(['Missed call from Carla']);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /calls/call-1']);
    await vi.waitFor(() => expect(store.record('call-1')?.view.state).toBe('missed'));
  });

  it('does nothing when the call stopped ringing in time', () => {
    const { store, notices, requests } = watched();
    store.applyServerCall(makeCall({ ring_deadline: inSeconds(3) }));
    store.applyServerCall(makeCall({ state: 'cancelled', version: 2, end_reason: 'cancelled' }));
    vi.advanceTimersByTime(5000);
    expect(notices.filter((n) => n.kind === 'missed')).toHaveLength(0);
    expect(requests).toHaveLength(0);
  });

  it('forgets a call the server said stopped ringing, and everything on dispose', () => {
    const { store, watchdog, requests } = watched();
    store.applyServerCall(makeCall({ ring_deadline: inSeconds(3) }));
    store.applyServerCall(makeCall({ id: 'call-2', ring_deadline: inSeconds(3) }));
    expect(vi.getTimerCount()).toBe(2);
    watchdog.forget('call-1');
    expect(vi.getTimerCount()).toBe(1);
    watchdog.dispose();
    expect(vi.getTimerCount()).toBe(0);
    store.applyServerCall(makeCall({ id: 'call-3', ring_deadline: inSeconds(3) }));
    expect(vi.getTimerCount()).toBe(0); // No longer watching the store.
    expect(requests).toHaveLength(0);
  });
});
