import { describe, expect, it } from 'vitest';
import { makeCall, makeStaff } from '../test/fakes';
import {
  applyCallUpdate,
  boardCounts,
  canBeRung,
  mergeLiveCalls,
  presenceOf,
  sortStaff,
} from './board';

describe('staff board', () => {
  it('shows a person without a connection as offline, whatever they chose', () => {
    expect(presenceOf(makeStaff('ana', { connected: false }))).toBe('offline');
    expect(presenceOf(makeStaff('ana', { status: 'away' }))).toBe('away');
    expect(canBeRung(makeStaff('ana', { connected: false }))).toBe(false);
    expect(canBeRung(makeStaff('ana', { state: 'ringing' }))).toBe(true);
    expect(canBeRung(makeStaff('ana', { state: 'wrap_up' }))).toBe(false);
    expect(canBeRung(makeStaff('ana', { status: 'away' }))).toBe(false);
  });

  it('sorts available first, busy before idle, then by name', () => {
    const sorted = sortStaff([
      makeStaff('zoe', { connected: false }),
      makeStaff('ben'),
      makeStaff('ana', { status: 'away' }),
      makeStaff('cleo', { state: 'in_call' }),
      makeStaff('abe'),
    ]);
    expect(sorted.map((e) => e.id)).toEqual(['cleo', 'abe', 'ben', 'ana', 'zoe']);
  });

  it('counts who is free, busy, away and offline', () => {
    expect(
      boardCounts([
        makeStaff('a'),
        makeStaff('b', { state: 'ringing' }),
        makeStaff('c', { state: 'in_call' }),
        makeStaff('d', { state: 'wrap_up' }),
        makeStaff('e', { status: 'away' }),
        makeStaff('f', { connected: false }),
      ]),
    ).toEqual({ total: 6, free: 2, ringing: 1, inCall: 1, wrapUp: 1, away: 1, offline: 1 });
  });
});

describe('live calls', () => {
  const t = (s: number) => `2026-11-23T21:00:${String(s).padStart(2, '0')}.000Z`;

  it('merges the per-state pages: the newest version wins, terminal calls go', () => {
    const ringing = [
      makeCall({ id: 'a', created_at: t(5) }),
      makeCall({ id: 'b', created_at: t(1) }),
    ];
    const accepted = [makeCall({ id: 'a', state: 'accepted', version: 2, created_at: t(5) })];
    const active = [
      makeCall({ id: 'c', state: 'active', version: 3, created_at: t(0) }),
      makeCall({ id: 'd', state: 'active', version: 3, created_at: t(2) }),
    ];
    const events = [makeCall({ id: 'd', state: 'ended', version: 4, created_at: t(2) })];
    const merged = mergeLiveCalls([ringing, accepted, active, events]);
    expect(merged.map((c) => `${c.id}:${c.state}`)).toEqual([
      'b:ringing',
      'a:accepted',
      'c:active',
    ]);
  });

  it('applies call.updated: newer versions replace, older are ignored, terminal removes', () => {
    const list = [makeCall({ id: 'a', state: 'accepted', version: 2 })];
    expect(applyCallUpdate(list, makeCall({ id: 'a', version: 1 }))).toBe(list);
    expect(applyCallUpdate(list, makeCall({ id: 'a', state: 'active', version: 3 }))[0].state).toBe(
      'active',
    );
    expect(applyCallUpdate(list, makeCall({ id: 'a', state: 'ended', version: 3 }))).toEqual([]);
    expect(applyCallUpdate(list, makeCall({ id: 'b' })).map((c) => c.id)).toEqual(['b', 'a']);
  });
});
