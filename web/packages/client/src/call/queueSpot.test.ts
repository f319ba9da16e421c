/** A queued call's place (`queue.updated`, docs/queue.md) on the store's records. */
import { describe, expect, it } from 'vitest';
import { makeCall } from '../test/fakes';
import { CallStore } from './CallStore';

describe('queue.updated', () => {
  it('moves a queued call up without a transition', () => {
    const store = new CallStore('client');
    store.applyServerCall(
      makeCall({ state: 'queued', version: 1, queue: { position: 3, estimated_wait_s: null } }),
    );
    let changes = 0;
    store.on('change', () => changes++);
    store.applyQueueSpot('call-1', { position: 1, estimated_wait_s: 40 });
    const view = store.record('call-1')?.view;
    expect(view?.queue).toEqual({ position: 1, estimated_wait_s: 40 });
    expect(view?.version).toBe(1);
    expect(changes).toBe(1);
  });

  it('leaves a call that no longer waits alone, and ignores unknown calls', () => {
    const store = new CallStore('client');
    store.applyServerCall(makeCall({ state: 'ringing', version: 2 }));
    store.applyQueueSpot('call-1', { position: 1, estimated_wait_s: 5 });
    store.applyQueueSpot('other', { position: 1, estimated_wait_s: 5 });
    expect(store.record('call-1')?.view.queue).toBeUndefined();
    expect(store.record('other')).toBeUndefined();
  });

  it('a promoted call follows the spec: queued, then ringing', () => {
    const store = new CallStore('client');
    store.applyServerCall(makeCall({ state: 'queued', version: 1 }));
    store.applyServerCall(makeCall({ state: 'ringing', version: 2 }));
    expect(store.record('call-1')?.view.state).toBe('ringing');
  });
});
