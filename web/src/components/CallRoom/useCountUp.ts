import { useEffect, useState } from 'react';

/** Milliseconds since `since` (ISO), ticking every second; 0 without a start. */
export function useCountUp(since: string | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!since) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [since]);
  return since ? Math.max(0, now - Date.parse(since)) : 0;
}
