import { describe, expect, it } from 'vitest';
import { makeCall } from '../test/fakes';
import type { StaffEntry } from '../types';
import {
  applyCallUpdate,
  boardCounts,
  canBeRung,
  mergeLiveCalls,
  presenceOf,
  sortStaff,
} from './board';

const entry = (id: string, over: Partial<StaffEntry> = {}): StaffEntry => ({
  id,
  name: id[0].toUpperCase() + id.slice(1),
  status: 'available',
  state: 'idle',
  connected: true,
  since: '2026-11-23T21:00:00.000Z',
  call_id: null,
  ...over,
});

describe('staff board', () => {
  it('shows a person without a connection as offline, whatever they chose', () => {
    expect(presenceOf(entry('ana', { connected: false }))).toBe('offline');
    expect(presenceOf(entry('ana', { status: 'away' }))).toBe('away');
    expect(canBeRung(entry('ana', { connected: false }))).toBe(false);
    expect(canBeRung(entry('ana', { state: 'ringing' }))).toBe(true);
    expect(canBeRung(entry('ana', { state: 'wrap_up' }))).toBe(false);
    expect(canBeRung(entry('ana', { status: 'away' }))).toBe(false);
  });

  it('sorts available first, busy before idle, then by name', () => {
    const sorted = sortStaff([
      entry('zoe', { connected: false }),
      entry('ben'),
      entry('ana', { status: 'away' }),
      entry('cleo', { state: 'in_call' }),
      entry('abe'),
    ]);
    expect(sorted.map((e) => e.id)).toEqual(['cleo', 'abe', 'ben', 'ana', 'zoe']);
  });

  it('counts who is free, busy, away and offline', () => {
    expect(
      boardCounts([
        entry('a'),
        entry('b', { state: 'ringing' }),
        entry('c', { state: 'in_call' }),
        entry('d', { state: 'wrap_up' }),
        entry('e', { status: 'away' }),
        entry('f', { connected: false }),
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
