import { useCallback, useEffect, useState } from 'react';
import { Ringer, type RingerState, partyName, type Call } from '../../sdk';

const RINGTONE_URL = `${import.meta.env.BASE_URL}ringtone.wav`;

/** Rings while `incoming` is not empty; returns the ringer (for `unlock()` on a click) and its state. */
export function useRinger(incoming: Call[]): {
  state: RingerState;
  unlock: () => Promise<boolean>;
} {
  const [ringer] = useState(() => new Ringer({ src: RINGTONE_URL }));
  const [state, setState] = useState<RingerState>(ringer.state);
  useEffect(() => ringer.on('state', setState), [ringer]);
  useEffect(() => () => ringer.stop(), [ringer]);
  const first = incoming[0];
  const ids = incoming.map((c) => c.id).join(',');
  useEffect(() => {
    if (first) {
      const name = partyName(first.caller);
      ringer.ring({
        callId: first.id,
        title: `${name} is calling`,
        body: 'Switchboard: incoming video call',
      });
    } else ringer.stop();
  }, [ringer, first, ids]);
  const unlock = useCallback(() => ringer.unlock(), [ringer]);
  return { state, unlock };
}
