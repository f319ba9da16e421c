import { describe, expect, it } from 'vitest';
import { makeCall } from '../../../../client/src/test/fakes';
import { isPassing, mergeCalls } from './mergeCalls';

const at = (minute: number) => `2026-12-06T10:${String(minute).padStart(2, '0')}:00.000Z`;

describe('mergeCalls', () => {
  it('keeps the higher version of a call, whichever side it comes from', () => {
    const accepted = makeCall({ id: 'c1', state: 'accepted', version: 2 });
    const active = makeCall({ id: 'c1', state: 'active', version: 3 });
    expect(mergeCalls([accepted], [active], 10).map((c) => c.state)).toEqual(['active']);
    // A list read just before the transition does not undo the pushed update.
    expect(mergeCalls([active], [accepted], 10).map((c) => c.state)).toEqual(['active']);
  });

  it('adds new calls newest first and keeps only the newest `limit`', () => {
    const known = [
      makeCall({ id: 'b', created_at: at(2) }),
      makeCall({ id: 'a', created_at: at(1) }),
    ];
    const merged = mergeCalls(known, [makeCall({ id: 'c', created_at: at(3) })], 2);
    expect(merged.map((c) => c.id)).toEqual(['c', 'b']);
  });

  it('calls ringing or connecting are passing; active and ended ones are not', () => {
    expect(
      ['ringing', 'accepted', 'active', 'ended'].map((state) =>
        isPassing(makeCall({ state: state as 'ringing' })),
      ),
    ).toEqual([true, true, false, false]);
  });
});
