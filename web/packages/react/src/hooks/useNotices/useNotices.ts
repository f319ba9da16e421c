import { useEffect, useState } from 'react';
import type { Notice, SwitchboardClient } from '@switchboard/client';

/** At most this many toasts at once; the oldest goes first. */
const MAX_SHOWN = 4;

/**
 * Notices (toasts) with auto-dismiss after `ttlMs` (errors, which may need reading twice, after
 * twice that). Short, because a toast sits over the page: "Answered by Ana" needs 4 s, not 8. A
 * newer notice of the same kind about the same call replaces the older one.
 */
export function useNotices(
  client: SwitchboardClient,
  ttlMs = 4000,
): [Notice[], (id: number) => void] {
  const [notices, setNotices] = useState<Notice[]>([]);
  useEffect(() => {
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const off = client.store.on('notice', (n) => {
      setNotices((list) =>
        [...list.filter((x) => !(x.callId && x.callId === n.callId && x.kind === n.kind)), n].slice(
          -MAX_SHOWN,
        ),
      );
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          setNotices((list) => list.filter((x) => x.id !== n.id));
        },
        n.kind === 'error' ? 2 * ttlMs : ttlMs,
      );
      timers.add(timer);
    });
    return () => {
      off();
      timers.forEach(clearTimeout);
    };
  }, [client, ttlMs]);
  const dismiss = (id: number): void => setNotices((list) => list.filter((x) => x.id !== id));
  return [notices, dismiss];
}
