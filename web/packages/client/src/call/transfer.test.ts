/** The caller's side of a transfer (CONTRACT 11.4): the store follows to the new call. */
import { describe, expect, it } from 'vitest';
import { makeCall } from '../test/fakes';
import { CallStore, type Notice } from './CallStore';
import { CallPhase, PhaseEffect, PhaseEvent } from './phases';

function connectedCaller(): { store: CallStore; effects: PhaseEffect[]; notices: Notice[] } {
  const store = new CallStore('client');
  const effects: PhaseEffect[] = [];
  const notices: Notice[] = [];
  store.on('effect', (e) => effects.push(e));
  store.on('notice', (n) => notices.push(n));
  store.dispatch(PhaseEvent.Start);
  store.dispatch(PhaseEvent.PermissionGranted);
  store.setCurrent(makeCall());
  store.dispatch(PhaseEvent.CreateOk);
  const ana = { id: 'ana', name: 'Ana' };
  store.applyServerCall(makeCall({ state: 'accepted', version: 2, staff: ana }));
  store.dispatch(PhaseEvent.IceConnected);
  store.applyServerCall(makeCall({ state: 'active', version: 3, staff: ana }));
  effects.length = 0;
  return { store, effects, notices };
}

describe('a transfer seen by the caller', () => {
  it('keeps the devices, closes the connection, and rings the new call', () => {
    const { store, effects, notices } = connectedCaller();
    expect(store.phase).toBe(CallPhase.Connected);
    store.applyServerCall(
      makeCall({
        state: 'ended',
        version: 4,
        end_reason: 'transferred',
        transferred_to: 'call-2',
        staff: { id: 'ana', name: 'Ana' },
      }),
    );
    expect(store.phase).toBe(CallPhase.Ringing);
    expect(effects).toEqual([PhaseEffect.ClosePeer]);
    expect(notices.map((n) => n.text)).toContain('Transferring your call…');
    expect(store.getSnapshot().summary).toBeNull();

    store.applyServerCall(makeCall({ id: 'call-2', transferred_from: 'call-1' }));
    expect(store.getSnapshot().current?.id).toBe('call-2');
    store.applyServerCall(
      makeCall({ id: 'call-2', state: 'accepted', version: 2, staff: { id: 'ben', name: 'Ben' } }),
    );
    expect(store.phase).toBe(CallPhase.Connecting);
    expect(effects).toContain(PhaseEffect.ConnectMedia);
    expect(notices.map((n) => n.text)).toContain('Answered by Ben');
  });

  it("shows the new call's outcome when nobody takes it", () => {
    const { store } = connectedCaller();
    store.applyServerCall(makeCall({ id: 'call-2', transferred_from: 'call-1' }));
    store.applyServerCall(
      makeCall({ state: 'ended', version: 4, end_reason: 'transferred', transferred_to: 'call-2' }),
    );
    expect(store.phase).toBe(CallPhase.Ringing);
    store.applyServerCall(
      makeCall({ id: 'call-2', state: 'missed', version: 2, end_reason: 'timeout' }),
    );
    expect(store.phase).toBe(CallPhase.Ended);
    expect(store.getSnapshot().summary?.callId).toBe('call-2');
  });
});
