import { useCallback, useSyncExternalStore } from 'react';
import type { SwitchboardClient, User } from '@switchboard/client';

/**
 * Who the server says is signed in (from `welcome`); null until then. An external store, so a
 * welcome between the render and the subscription is not missed.
 */
export function useCurrentUser(client: SwitchboardClient): User | null {
  const subscribe = useCallback((onChange: () => void) => client.on('user', onChange), [client]);
  return useSyncExternalStore(subscribe, () => client.currentUser);
}
