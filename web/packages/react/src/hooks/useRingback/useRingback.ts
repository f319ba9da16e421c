import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { Ringback, type RingbackState } from '@switchboard/client';

const PREFERENCE_KEY = 'switchboard.ringback';

function storedOn(): boolean {
  try {
    return localStorage.getItem(PREFERENCE_KEY) !== 'off';
  } catch {
    return true;
  }
}

/**
 * The caller's ringback while `ringing`, unless the person turned it off (remembered in this
 * browser). `unlock()` is for a click or key press when the browser keeps sound off.
 */
export function useRingback(ringing: boolean): {
  state: RingbackState;
  on: boolean;
  toggle: () => void;
  unlock: () => Promise<boolean>;
} {
  const [ringback] = useState(() => new Ringback());
  // An external store: a change between the render and the subscription is not missed.
  const onState = useCallback((onChange: () => void) => ringback.on('state', onChange), [ringback]);
  const state: RingbackState = useSyncExternalStore(onState, () => ringback.state);
  const [on, setOn] = useState(storedOn);
  useEffect(() => () => ringback.dispose(), [ringback]);
  useEffect(() => {
    if (ringing && on) ringback.start();
    else ringback.stop();
  }, [ringback, ringing, on]);
  const toggle = useCallback(() => {
    setOn((was) => {
      try {
        localStorage.setItem(PREFERENCE_KEY, was ? 'off' : 'on');
      } catch {
        // Private mode: the choice lasts for this page only.
      }
      return !was;
    });
  }, []);
  const unlock = useCallback(() => ringback.unlock(), [ringback]);
  return { state, on, toggle, unlock };
}
