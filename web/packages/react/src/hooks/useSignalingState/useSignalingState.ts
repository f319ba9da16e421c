import { useCallback, useSyncExternalStore } from 'react';
import type { SignalingState, SwitchboardClient } from '@switchboard/client';

/**
 * The WebSocket's state (connecting, open, reconnecting...), for the connection badge. An
 * external store, so a change between the render and the subscription is not missed.
 */
export function useSignalingState(client: SwitchboardClient): SignalingState {
  const subscribe = useCallback(
    (onChange: () => void) => client.on('signaling', onChange),
    [client],
  );
  return useSyncExternalStore(subscribe, () => client.signaling.state);
}
