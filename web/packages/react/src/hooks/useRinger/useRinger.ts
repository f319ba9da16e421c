import { useCallback, useEffect, useState } from 'react';
import { Ringer, type RingerState, partyName, type Call } from '@switchboard/client';

/**
 * Rings while `incoming` is not empty; returns the ringer's state, whether the browser lets it
 * play sound (asked once on mount: after a reload it usually does not until a click), and
 * `unlock()` for a click or key press. `ringtoneUrl` is the sound to loop (the app serves
 * public/ringtone.wav at its root).
 */
export function useRinger(
  incoming: Call[],
  ringtoneUrl = '/ringtone.wav',
): {
  state: RingerState;
  soundAllowed: boolean;
  unlock: () => Promise<boolean>;
} {
  const [ringer] = useState(() => new Ringer({ src: ringtoneUrl }));
  const [state, setState] = useState<RingerState>(ringer.state);
  const [soundAllowed, setSoundAllowed] = useState(ringer.unlocked);
  useEffect(() => ringer.on('state', setState), [ringer]);
  useEffect(() => ringer.on('soundAllowed', setSoundAllowed), [ringer]);
  useEffect(() => {
    void ringer.probe();
    return () => ringer.stop();
  }, [ringer]);
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
  return { state, soundAllowed, unlock };
}
