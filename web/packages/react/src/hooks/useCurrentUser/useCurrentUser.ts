import { useEffect, useState } from 'react';
import type { SwitchboardClient, User } from '@switchboard/client';

/** Who the server says is signed in (from `welcome`); null until then. */
export function useCurrentUser(client: SwitchboardClient): User | null {
  const [user, setUser] = useState(client.currentUser);
  useEffect(() => client.on('user', setUser), [client]);
  return user;
}
