import type { Call } from '@switchboard/client';

/**
 * The newest `limit` calls of `known` and `news` together, newest first. Of two copies of a
 * call the higher `version` wins, so a list fetched just before a transition cannot undo the
 * `call.updated` that announced it.
 */
export function mergeCalls(known: readonly Call[], news: readonly Call[], limit: number): Call[] {
  const byId = new Map<string, Call>();
  for (const c of [...known, ...news]) {
    const had = byId.get(c.id);
    if (!had || c.version >= had.version) byId.set(c.id, c);
  }
  return [...byId.values()]
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
    .slice(0, limit);
}

/** States a call leaves within seconds, without any staff member's board entry changing. */
export function isPassing(c: Call): boolean {
  return c.state === 'queued' || c.state === 'ringing' || c.state === 'accepted';
}
