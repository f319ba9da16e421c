import { describe, expect, it } from 'vitest';
import { logHistory, clearLogHistory } from '../util/logger';
import { SwitchboardError, ErrorCode } from '../errors';
import { makeCall } from '../test/fakes';
import { CallStore, type Notice } from './CallStore';
import { CALLER_PHASES, CallPhase, PhaseEffect, PhaseEvent, STAFF_PHASES } from './phases';

describe('phase machines: every (phase, event) pair', () => {
  for (const [role, table] of [
    ['client', CALLER_PHASES],
    ['staff', STAFF_PHASES],
  ] as const) {
    for (const phase of Object.values(CallPhase)) {
      for (const event of Object.values(PhaseEvent)) {
        const to = table[phase][event];
        it(`${role}: ${phase} + ${event} ${to ? `-> ${to}` : 'is ignored and logged'}`, () => {
          clearLogHistory();
          const store = new CallStore(role);
          // Reach `phase` by forcing it (the tables themselves are what is under test).
          (store as unknown as { phaseValue: CallPhase }).phaseValue = phase;
          let changed = 0;
          store.on('change', () => changed++);
          expect(store.dispatch(event)).toBe(to !== undefined);
          expect(store.phase).toBe(to ?? phase);
          if (!to) {
            expect(changed).toBe(0);
            expect(
              logHistory().some((l) => l.level === 'warn' && l.message.includes(`"${event}"`)),
            ).toBe(true);
          }
        });
      }
    }
  }
});

describe('CallStore, caller', () => {
  it('goes from idle to ringing to connecting to ended, with a summary', () => {
    const store = new CallStore('client');
    const notices: Notice[] = [];
    store.on('notice', (n) => notices.push(n));
    store.dispatch(PhaseEvent.Start);
    store.dispatch(PhaseEvent.PermissionGranted);
    expect(store.phase).toBe(CallPhase.Placing);
    const call = makeCall();
    store.setCurrent(call);
    store.dispatch(PhaseEvent.CreateOk);
    store.applyServerCall(call);
    expect(store.phase).toBe(CallPhase.Ringing);
    store.applyServerCall(
      makeCall({ state: 'accepted', version: 2, staff: { id: 'st-1', name: 'Ana' } }),
    );
    expect(store.phase).toBe(CallPhase.Connecting);
    expect(notices.map((n) => n.text)).toContain('Answered by Ana');
    store.dispatch(PhaseEvent.IceConnected);
    store.applyServerCall(
      makeCall({
        state: 'active',
        version: 3,
        staff: { id: 'st-1', name: 'Ana' },
        active_at: '2026-11-23T21:00:10.000Z',
      }),
    );
    expect(store.phase).toBe(CallPhase.Connected);
    store.applyServerCall(
      makeCall({
        state: 'ended',
        version: 4,
        end_reason: 'hangup',
        staff: { id: 'st-1', name: 'Ana' },
        active_at: '2026-11-23T21:00:10.000Z',
        ended_at: '2026-11-23T21:02:15.000Z',
      }),
    );
    expect(store.phase).toBe(CallPhase.Ended);
    const s = store.getSnapshot().summary!;
    expect(s.outcome).toBe('ended');
    expect(s.otherParty).toBe('Ana');
    expect(s.durationMs).toBe(125_000);
    store.dispatch(PhaseEvent.Dismiss);
    expect(store.getSnapshot().summary).toBeNull();
    expect(store.getSnapshot().current).toBeNull();
  });

  it('catches up when call.updated (accepted) arrives before the create answer', () => {
    const store = new CallStore('client');
    store.dispatch(PhaseEvent.Start);
    store.dispatch(PhaseEvent.PermissionGranted);
    store.applyServerCall(
      makeCall({ state: 'accepted', version: 2, staff: { id: 'st-1', name: 'Ana' } }),
    );
    store.setCurrent(makeCall());
    store.dispatch(PhaseEvent.CreateOk);
    store.applyServerCall(makeCall()); // The 201, older than what we know.
    store.reevaluateCurrent();
    expect(store.phase).toBe(CallPhase.Connecting);
  });

  it('rolls "placing" back to idle when the create is refused', () => {
    const store = new CallStore('client');
    store.dispatch(PhaseEvent.Start);
    store.dispatch(PhaseEvent.PermissionGranted);
    store.dispatch(PhaseEvent.CreateFailed);
    expect(store.phase).toBe(CallPhase.Idle);
  });

  it('finishes once after an optimistic hangup is confirmed', () => {
    const store = new CallStore('client');
    const active = makeCall({ state: 'active', version: 3, staff: { id: 'st-1' } });
    store.setCurrent(active);
    store.dispatch(PhaseEvent.ResumeCall);
    const effects: PhaseEffect[] = [];
    store.on('effect', (e) => effects.push(e));
    const a = store.beginAction('call-1', 'hangup')!;
    expect(store.getSnapshot().current?.state).toBe('ended');
    expect(store.phase).toBe(CallPhase.Connecting); // Not ended until the server says so.
    store.commitAction(a, makeCall({ state: 'ended', version: 4, end_reason: 'hangup' }));
    store.applyServerCall(makeCall({ state: 'ended', version: 4, end_reason: 'hangup' }));
    expect(store.phase).toBe(CallPhase.Ended);
    expect(effects).toEqual([PhaseEffect.EndCall]);
  });

  it('rolls a refused cancel back to ringing and keeps ringing', () => {
    const store = new CallStore('client');
    store.setCurrent(makeCall());
    store.dispatch(PhaseEvent.ResumeRinging);
    const a = store.beginAction('call-1', 'cancel')!;
    expect(store.getSnapshot().current?.state).toBe('cancelled');
    store.rollbackAction(a, new SwitchboardError({ code: ErrorCode.Unavailable }));
    expect(store.getSnapshot().current?.state).toBe('ringing');
    expect(store.phase).toBe(CallPhase.Ringing);
  });
});

describe('CallStore, staff', () => {
  it('lists ringing calls and says "Answered by" when another staff member takes one', () => {
    const store = new CallStore('staff');
    store.userId = 'st-me';
    const notices: Notice[] = [];
    store.on('notice', (n) => notices.push(n));
    store.applyServerCall(makeCall());
    store.applyServerCall(makeCall({ id: 'call-2', created_at: '2026-11-23T21:00:01.000Z' }));
    expect(store.getSnapshot().incoming.map((c) => c.id)).toEqual(['call-1', 'call-2']);
    store.applyServerCall(
      makeCall({ state: 'accepted', version: 2, staff: { id: 'st-ana', name: 'Ana' } }),
    );
    expect(store.getSnapshot().incoming.map((c) => c.id)).toEqual(['call-2']);
    expect(notices.map((n) => [n.kind, n.text])).toContainEqual([
      'answered_elsewhere',
      'Answered by Ana',
    ]);
    store.applyServerCall(
      makeCall({ id: 'call-2', state: 'missed', version: 2, end_reason: 'timeout' }),
    );
    expect(notices.map((n) => n.kind)).toContain('missed');
    expect(store.getSnapshot().incoming).toHaveLength(0);
  });

  it('does not announce its own accept as "answered by"', () => {
    const store = new CallStore('staff');
    store.userId = 'st-me';
    const notices: Notice[] = [];
    store.on('notice', (n) => notices.push(n));
    store.applyServerCall(makeCall());
    store.dispatch(PhaseEvent.Accept);
    store.setCurrent(makeCall());
    const a = store.beginAction('call-1', 'accept')!;
    store.commitAction(a, makeCall({ state: 'accepted', version: 2, staff: { id: 'st-me' } }));
    expect(notices).toHaveLength(0);
    expect(store.getSnapshot().incoming).toHaveLength(0);
  });

  it('rolls back a lost accept race', () => {
    const store = new CallStore('staff');
    store.userId = 'st-me';
    store.applyServerCall(makeCall());
    store.dispatch(PhaseEvent.Accept);
    store.setCurrent(makeCall());
    const a = store.beginAction('call-1', 'accept')!;
    expect(store.getSnapshot().current?.state).toBe('accepted');
    store.rollbackAction(
      a,
      new SwitchboardError({ code: ErrorCode.CallAlreadyTaken, status: 409 }),
    );
    store.dispatch(PhaseEvent.AcceptFailed);
    expect(store.phase).toBe(CallPhase.Idle);
    expect(store.record('call-1')?.view.state).toBe('ringing');
  });

  it('hides a declined call at once', () => {
    const store = new CallStore('staff');
    store.applyServerCall(makeCall());
    store.dismissIncoming('call-1');
    expect(store.getSnapshot().incoming).toHaveLength(0);
  });
});
