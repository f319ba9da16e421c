import { useCallback, useEffect, useState } from 'react';
import { SwitchboardError, type Call, type SwitchboardClient } from '@switchboard/client';

/** Several reasons to read often come together (a board update and a phase change). */
const DEBOUNCE_MS = 150;

export interface QueueView {
  /** The org's queued calls, first in line first; null until the first answer. */
  calls: Call[] | null;
  error: string | null;
}

/**
 * The org's queue for the staff console (GET /v1/queue, docs/queue.md), read when `refreshKey`
 * changes and at no other time. The console passes the board's revision: the server sends a
 * `board.updated` whenever a call joins or leaves the org's queue (docs/queue.md), so the board
 * says when the list may have changed and no timer is needed.
 */
export function useQueue(client: SwitchboardClient, refreshKey: string): QueueView {
  const [calls, setCalls] = useState<Call[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const read = useCallback(() => {
    client.rest.queue().then(
      (r) => {
        setCalls(r.calls);
        setError(null);
      },
      (e: unknown) =>
        setError(e instanceof SwitchboardError ? e.friendly : 'Could not read the queue.'),
    );
  }, [client]);

  useEffect(() => {
    const t = setTimeout(read, DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [read, refreshKey]);

  return { calls, error };
}
