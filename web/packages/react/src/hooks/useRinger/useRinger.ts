import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
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
  // External stores: a change between the render and the subscription is not missed.
  const onState = useCallback((onChange: () => void) => ringer.on('state', onChange), [ringer]);
  const onSound = useCallback(
    (onChange: () => void) => ringer.on('soundAllowed', onChange),
    [ringer],
  );
  const state: RingerState = useSyncExternalStore(onState, () => ringer.state);
  const soundAllowed = useSyncExternalStore(onSound, () => ringer.unlocked);
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
