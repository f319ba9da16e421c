import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { SwitchboardClient } from '@switchboard/client';

const CallContext = createContext<SwitchboardClient | null>(null);

export interface CallProviderProps {
  role: 'client' | 'staff';
  getToken: () => string | null;
  iceTransportPolicy?: RTCIceTransportPolicy;
  children: ReactNode;
}

/** Owns one SwitchboardClient for the page: connects on mount, disposes on unmount. */
export function CallProvider({ role, getToken, iceTransportPolicy, children }: CallProviderProps) {
  const [client, setClient] = useState<SwitchboardClient | null>(null);
  useEffect(() => {
    // Created inside the effect so StrictMode's mount-unmount-mount gets a fresh client each time.
    const c = new SwitchboardClient({ role, getToken, iceTransportPolicy });
    c.connect();
    setClient(c);
    // Exposed for debugging in the console and for the end-to-end tests.
    (window as unknown as { __switchboard?: SwitchboardClient }).__switchboard = c;
    return () => c.dispose();
  }, [role, getToken, iceTransportPolicy]);
  if (!client) return null;
  return <CallContext.Provider value={client}>{children}</CallContext.Provider>;
}

/** The page's client. Throws outside a CallProvider so a missing provider fails loudly. */
export function useCallClient(): SwitchboardClient {
  const client = useContext(CallContext);
  if (!client) throw new Error('useCallClient must be used inside <CallProvider>');
  return client;
}
