import { describe, expect, it } from 'vitest';
import { makeStaff } from '../test/fakes';
import { entriesFromSnapshot, isNextSeq, mergeEntries, queueLengthOf } from './entries';

describe('board entries', () => {
  it('builds the rows of a snapshot by id, skipping anything without an id', () => {
    const entries = entriesFromSnapshot([
      makeStaff('ana'),
      { name: 'no id' },
      null,
      makeStaff('ben'),
    ]);
    expect([...entries.keys()]).toEqual(['ana', 'ben']);
    expect(entriesFromSnapshot(undefined).size).toBe(0);
  });

  it('merges changed rows in place and adds newcomers last', () => {
    const entries = entriesFromSnapshot([makeStaff('ana'), makeStaff('ben')]);
    mergeEntries(entries, [makeStaff('ben', { state: 'in_call' }), makeStaff('cleo')]);
    expect([...entries.values()].map((e) => `${e.id}:${e.state}`)).toEqual([
      'ana:idle',
      'ben:in_call',
      'cleo:idle',
    ]);
    mergeEntries(entries, 'not a list');
    expect(entries.size).toBe(3);
  });

  it('accepts only the next seq', () => {
    expect(isNextSeq(1, 2)).toBe(true);
    expect(isNextSeq(1, 3)).toBe(false);
    expect(isNextSeq(2, 2)).toBe(false);
    expect(isNextSeq(1, '2')).toBe(false);
  });

  it('reads the queue length, or null without one', () => {
    expect(queueLengthOf({ length: 4 })).toBe(4);
    expect(queueLengthOf({})).toBeNull();
    expect(queueLengthOf(undefined)).toBeNull();
  });
});
