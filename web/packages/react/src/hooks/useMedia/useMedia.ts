import { useSyncExternalStore } from 'react';
import type { MediaSnapshot, SwitchboardClient } from '@switchboard/client';

/** Own and remote media, switches, devices chosen and the latest stats. */
export function useMedia(client: SwitchboardClient): MediaSnapshot {
  return useSyncExternalStore(client.subscribeMedia, client.getMediaSnapshot);
}
