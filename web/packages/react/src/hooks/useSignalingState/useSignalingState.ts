import { useEffect, useState } from 'react';
import type { SignalingState, SwitchboardClient } from '@switchboard/client';

/** The WebSocket's state (connecting, open, reconnecting...), for the connection badge. */
export function useSignalingState(client: SwitchboardClient): SignalingState {
  const [state, setState] = useState(client.signaling.state);
  useEffect(() => client.on('signaling', setState), [client]);
  return state;
}
