import { useSyncExternalStore } from 'react';
import type { StoreSnapshot, SwitchboardClient } from '@switchboard/client';

/** The call store's snapshot: phase, current call, incoming calls, summary, error. */
export function useCallState(client: SwitchboardClient): StoreSnapshot {
  return useSyncExternalStore(client.store.subscribe, client.store.getSnapshot);
}
