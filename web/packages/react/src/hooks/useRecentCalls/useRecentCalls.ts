import { useCallback, useEffect, useState } from 'react';
import { SwitchboardError, type Call, type SwitchboardClient } from '@switchboard/client';
import { isPassing, mergeCalls } from './mergeCalls';

const LIMIT = 10;
/** Several reasons to reload often come together (a phase change and a board update). */
const DEBOUNCE_MS = 150;
/** How often the list is read again while a call in it is ringing or connecting. */
const PASSING_POLL_MS = 1000;

export interface RecentCalls {
  calls: Call[] | null;
  error: string | null;
  reload: () => void;
}

/**
 * The org's last ten calls, kept current three ways: every `call.updated` this user hears is
 * applied at once (a staff member rung for a call hears all its moves); the list is read again
 * when `refreshKey` changes (the console's phase, or a team member's state on the board, which
 * is how someone who was not rung learns that a call started or ended); and it is read every
 * second while a call in it is queued, ringing or connecting, moves no board entry shows.
 */
export function useRecentCalls(client: SwitchboardClient, refreshKey: string): RecentCalls {
  const [calls, setCalls] = useState<Call[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(() => {
    client.rest.listCalls({ limit: LIMIT }).then(
      (r) => {
        setCalls((known) => mergeCalls(known ?? [], r.calls, LIMIT));
        setError(null);
      },
      (e: unknown) =>
        setError(e instanceof SwitchboardError ? e.friendly : 'Could not load recent calls.'),
    );
  }, [client]);

  useEffect(
    () => client.on('call', (c) => setCalls((known) => mergeCalls(known ?? [], [c], LIMIT))),
    [client],
  );

  useEffect(() => {
    const t = setTimeout(reload, DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [reload, refreshKey]);

  const passing = calls?.some(isPassing) ?? false;
  useEffect(() => {
    if (!passing) return;
    const t = setInterval(reload, PASSING_POLL_MS);
    return () => clearInterval(t);
  }, [reload, passing]);

  return { calls, error, reload };
}
