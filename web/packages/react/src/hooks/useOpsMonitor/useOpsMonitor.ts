import { useEffect, useState } from 'react';
import { OpsMonitor } from '@switchboard/client';

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
