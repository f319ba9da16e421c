import { useCallback, useEffect, useState } from 'react';
import { SwitchboardError, type Call, type SwitchboardClient } from '@switchboard/client';

/** Several reasons to read often come together (a board update and a phase change). */
const DEBOUNCE_MS = 150;
/**
 * The board says when the queue's length changes with a staff member's row, not when a call
 * joins or leaves while every staff member stays as they were: read it this often besides.
 */
const POLL_MS = 3000;

export interface QueueView {
  /** The org's queued calls, first in line first; null until the first answer. */
  calls: Call[] | null;
  error: string | null;
}

/**
 * The org's queue for the staff console (GET /v1/queue, docs/queue.md), read again when
 * `refreshKey` changes (the board's queue length and staff states) and every few seconds.
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

  useEffect(() => {
    const t = setInterval(read, POLL_MS);
    return () => clearInterval(t);
  }, [read]);

  return { calls, error };
}
