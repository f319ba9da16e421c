/** The caller's side of a transfer (docs/queue.md#transfer): the store follows to the new call. */
import { describe, expect, it } from 'vitest';
import { makeCall } from '../test/fakes';
import { CallStore, transferText, type Notice } from './CallStore';
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
    expect(store.getSnapshot().summary).toBeNull();

    // The new call's first update names whom it goes to (`transfer_target`, from the server).
    store.applyServerCall(
      makeCall({
        id: 'call-2',
        transferred_from: 'call-1',
        transfer_target: { id: 'ben', name: 'Ben' },
      }),
    );
    expect(store.getSnapshot().current?.id).toBe('call-2');
    expect(notices.map((n) => n.text).at(-1)).toBe('Transferring you to Ben…');
    store.applyServerCall(
      makeCall({ id: 'call-2', state: 'accepted', version: 2, staff: { id: 'ben', name: 'Ben' } }),
    );
    expect(store.phase).toBe(CallPhase.Connecting);
    expect(effects).toContain(PhaseEffect.ConnectMedia);
    expect(notices.map((n) => n.text)).toContain('Answered by Ben');
  });

  it("shows the new call's outcome when nobody takes it", () => {
    const { store, notices } = connectedCaller();
    store.applyServerCall(makeCall({ id: 'call-2', transferred_from: 'call-1' }));
    store.applyServerCall(
      makeCall({ state: 'ended', version: 4, end_reason: 'transferred', transferred_to: 'call-2' }),
    );
    expect(store.phase).toBe(CallPhase.Ringing);
    expect(notices.map((n) => n.text)).toContain('Transferring your call…'); // Nobody named.
    store.applyServerCall(
      makeCall({ id: 'call-2', state: 'missed', version: 2, end_reason: 'timeout' }),
    );
    expect(store.phase).toBe(CallPhase.Ended);
    expect(store.getSnapshot().summary?.callId).toBe('call-2');
  });

  it('names the topic when the call is passed to a topic', () => {
    expect(transferText(makeCall({ topic: 'billing' }))).toBe(
      'Transferring you to our billing team…',
    );
  });
});
