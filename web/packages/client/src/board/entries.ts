/**
 * The board's staff entries as pure functions over a Map keyed by id: a `board` snapshot replaces
 * them all, a `board.updated` (or the person's own `availability.updated`) merges by id.
 */
import type { StaffEntry } from '../types';

function isEntry(e: unknown): e is StaffEntry {
  return typeof e === 'object' && e !== null && typeof (e as StaffEntry).id === 'string';
}

/** The entries of a `board` snapshot; anything that is not an entry with an id is skipped. */
export function entriesFromSnapshot(staff: unknown): Map<string, StaffEntry> {
  const entries = new Map<string, StaffEntry>();
  mergeEntries(entries, staff);
  return entries;
}

/**
 * Replaces (or adds) each changed entry in `entries`; the others stay as they were. A Map keeps
 * insertion order, so a person keeps their place and newcomers come last.
 */
export function mergeEntries(entries: Map<string, StaffEntry>, changed: unknown): void {
  if (!Array.isArray(changed)) return;
  for (const e of changed) if (isEntry(e)) entries.set(e.id, e);
}

/** `seq` grows by one per board message on a connection: anything else is a gap. */
export function isNextSeq(lastSeq: number, seq: unknown): boolean {
  return typeof seq === 'number' && seq === lastSeq + 1;
}

/** The queue length a board message carries, or null when it carries none. */
export function queueLengthOf(queue: unknown): number | null {
  const length = (queue as { length?: unknown } | null | undefined)?.length;
  return typeof length === 'number' ? length : null;
}
