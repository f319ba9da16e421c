/** Thin React adapters over the SDK's OpsMonitor (the admin dashboard's data). */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { OpsMonitor, type OpsSnapshot } from '../sdk/ops/OpsMonitor';

/** One monitor for the page: started on mount, stopped on unmount (fresh under StrictMode). */
export function useOpsMonitor(getToken: () => string | null): OpsMonitor | null {
  const [monitor, setMonitor] = useState<OpsMonitor | null>(null);
  useEffect(() => {
    const m = new OpsMonitor({ getToken });
    m.start();
    setMonitor(m);
    // Exposed for debugging in the console, like window.__switchboard.
    (window as unknown as { __ops?: OpsMonitor }).__ops = m;
    return () => m.stop();
  }, [getToken]);
  return monitor;
}

export function useOpsSnapshot(monitor: OpsMonitor): OpsSnapshot {
  return useSyncExternalStore(monitor.subscribe, monitor.getSnapshot);
}

/** `Date.now()`, refreshed every `ms` (for durations that tick). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
