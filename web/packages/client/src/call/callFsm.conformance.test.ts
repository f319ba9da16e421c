/**
 * The store against spec/call-fsm.json: every (state, event) pair, every vector, and the
 * snapshot path (server announcements) for every pair of states.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { clearLogHistory, logHistory } from '../util/logger';
import type { Call } from '../types';
import { makeCall } from '../test/fakes';
import { CallRecord, draftCall } from './CallRecord';
import { CallStore } from './CallStore';
import {
  callFsmSpec,
  FSM_EVENTS,
  isTerminal,
  SERVER_STATES,
  transition,
  type FsmState,
  type FsmTransition,
} from './callFsm';

const ALL_STATES: FsmState[] = ['none', ...SERVER_STATES];

function recordIn(state: FsmState, version = 3): CallRecord {
  if (state === 'none') return new CallRecord(draftCall('call-1'));
  return new CallRecord({ ...makeCall(), state, version });
}

describe('spec/call-fsm.json', () => {
  it('has states, events and transitions that refer to each other', () => {
    const names = new Set<string>(['none', ...SERVER_STATES]);
    for (const t of callFsmSpec.transitions) {
      expect(names.has(t.from), t.from).toBe(true);
      expect(names.has(t.to), t.to).toBe(true);
      expect(FSM_EVENTS).toContain(t.event);
      if (t.end_reason) expect(callFsmSpec.end_reasons).toContain(t.end_reason);
    }
  });

  it('gives every transition effects the spec documents', () => {
    const documented = new Set(Object.keys(callFsmSpec.effects));
    const timers = new Set(['queue', 'ring', 'ring_step', 'connect', 'ice_refresh', 'wrap_up']);
    for (const t of callFsmSpec.transitions) {
      for (const key of Object.keys(t.effects)) expect(documented, key).toContain(key);
      for (const timer of [...(t.effects.start_timers ?? []), ...(t.effects.stop_timers ?? [])]) {
        expect(timers, timer).toContain(timer);
      }
      const terminal = isTerminal(t.to);
      // Only moves out of ringing settle the rings; only ends of a live call start a wrap-up;
      // only a promotion out of the queue rings staff it chose.
      expect(t.effects.ringing_staff !== undefined, `${t.from} + ${t.event}`).toBe(
        t.from === 'ringing',
      );
      const live = t.from === 'accepted' || t.from === 'active';
      expect(t.effects.staff_wrap_up === true, `${t.from} + ${t.event}`).toBe(terminal && live);
      expect(t.effects.ring_chosen_staff === true, `${t.from} + ${t.event}`).toBe(
        t.from === 'queued' && t.to === 'ringing',
      );
      if (terminal) expect(t.effects.stop_timers).toContain('ice_refresh');
    }
  });

  it('lets nothing leave a terminal state', () => {
    for (const s of SERVER_STATES.filter(isTerminal)) {
      for (const e of FSM_EVENTS) expect(transition(s, e), `${s} + ${e}`).toBeNull();
    }
  });
});

describe('CallRecord: every (state, event) pair of the spec', () => {
  beforeEach(() => clearLogHistory());

  for (const state of ALL_STATES) {
    for (const event of FSM_EVENTS) {
      const t = transition(state, event);
      if (t) {
        it(`${state} + ${event} -> ${t.to}`, () => {
          const rec = recordIn(state);
          const v = rec.view.version;
          expect(rec.applyEvent(event)).toBe(true);
          expect(rec.view.state).toBe(t.to);
          expect(rec.view.end_reason).toBe(t.end_reason);
          expect(rec.view.version).toBe(v + 1);
        });
      } else {
        it(`${state} + ${event} is refused, logged, and changes nothing`, () => {
          const rec = recordIn(state);
          const before = JSON.stringify(rec.view);
          expect(rec.applyEvent(event)).toBe(false);
          expect(JSON.stringify(rec.view)).toBe(before);
          expect(
            logHistory().some((l) => l.level === 'warn' && l.message.includes(`"${event}"`)),
          ).toBe(true);
        });
      }
    }
  }
});

describe('CallStore: every (state, event) pair through the store', () => {
  for (const role of ['client', 'staff'] as const) {
    for (const state of SERVER_STATES) {
      for (const event of FSM_EVENTS) {
        const t = transition(state, event);
        it(`${role}: ${state} + ${event} ${t ? `-> ${t.to}` : 'is ignored'}`, () => {
          const store = new CallStore(role);
          store.applyServerCall(makeCall({ state, version: 5 }));
          const changes: unknown[] = [];
          store.on('change', (s) => changes.push(s));
          const ok = store.applyServerEvent('call-1', event);
          expect(ok).toBe(t !== null);
          expect(store.record('call-1')?.view.state).toBe(t ? t.to : state);
          expect(store.record('call-1')?.view.version).toBe(t ? 6 : 5);
          if (!t) expect(changes).toHaveLength(0);
        });
      }
    }
  }
});

describe('vectors', () => {
  for (const v of callFsmSpec.vectors) {
    it(v.name, () => {
      const rec = new CallRecord(draftCall('call-1'));
      let lastAccepted: FsmTransition | null = null;
      for (const step of v.steps) {
        const refused = step.endsWith('!');
        const event = refused ? step.slice(0, -1) : step;
        const before = JSON.stringify(rec.view);
        const allowed = transition(rec.view.state, event);
        expect(rec.applyEvent(event), step).toBe(!refused);
        if (refused) expect(JSON.stringify(rec.view)).toBe(before);
        else lastAccepted = allowed;
      }
      // The server's effects of the last accepted step, as the vector states them.
      if (lastAccepted?.from === 'none') expect(v.effects).toBeUndefined();
      else expect(lastAccepted?.effects).toEqual(v.effects);
      expect(rec.view.state).toBe(v.then);
      expect(rec.view.end_reason).toBe(v.end_reason);
      expect(rec.view.version).toBe(v.version);
    });
  }
});

describe('server snapshots (call.updated) for every pair of states', () => {
  for (const from of SERVER_STATES) {
    for (const to of SERVER_STATES) {
      if (from === to) continue;
      const allowed = callFsmSpec.transitions.some((t) => t.from === from && t.to === to);
      it(`${from} -> ${to} one version later is ${allowed ? 'applied' : 'refused'}`, () => {
        const rec = recordIn(from, 2);
        const reason =
          callFsmSpec.transitions.find((t) => t.from === from && t.to === to)?.end_reason ?? null;
        const res = rec.applyServer(makeCall({ state: to, version: 3, end_reason: reason }));
        expect(res).toBe(allowed ? 'applied' : 'refused');
        expect(rec.view.state).toBe(allowed ? to : from);
      });
    }
  }

  it('ignores stale and duplicate versions', () => {
    const rec = recordIn('accepted', 2);
    expect(rec.applyServer(makeCall({ state: 'ringing', version: 1 }))).toBe('stale');
    expect(rec.applyServer(makeCall({ state: 'accepted', version: 2 }))).toBe('stale');
    expect(rec.view.state).toBe('accepted');
  });

  it('resyncs across missed versions when the new state is reachable', () => {
    const rec = recordIn('ringing', 1);
    expect(rec.applyServer(makeCall({ state: 'ended', version: 4, end_reason: 'hangup' }))).toBe(
      'applied',
    );
    expect(rec.view.state).toBe('ended');
  });

  it('refuses a jump to a state that cannot be reached', () => {
    const rec = recordIn('missed', 2);
    expect(rec.applyServer(makeCall({ state: 'active', version: 5 }))).toBe('refused');
    expect(rec.view.state).toBe('missed');
  });

  it('tells cancel from caller_left by the end reason', () => {
    const a = recordIn('ringing', 1);
    a.applyServer(makeCall({ state: 'cancelled', version: 2, end_reason: 'caller_left' }));
    expect(a.view.end_reason).toBe('caller_left');
  });
});

export type { Call };
