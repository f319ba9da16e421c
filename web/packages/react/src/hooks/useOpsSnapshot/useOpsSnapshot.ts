import { useSyncExternalStore } from 'react';
import type { OpsMonitor, OpsSnapshot } from '@switchboard/client';

/** What the admin dashboard shows: summary, live calls, board, freshness. */
export function useOpsSnapshot(monitor: OpsMonitor): OpsSnapshot {
  return useSyncExternalStore(monitor.subscribe, monitor.getSnapshot);
}
