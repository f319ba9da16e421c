import { useEffect, useState } from 'react';

/** Seconds left until `deadline` (ISO), ticking every 250 ms; null without a deadline. */
export function useCountdown(deadline: string | null, offsetMs = 0): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!deadline) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [deadline]);
  if (!deadline) return null;
  return Math.max(0, Math.ceil((Date.parse(deadline) - offsetMs - now) / 1000));
}
