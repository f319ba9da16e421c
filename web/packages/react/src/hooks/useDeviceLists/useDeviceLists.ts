import { useEffect, useState } from 'react';
import type { DeviceLists, SwitchboardClient } from '@switchboard/client';

/** Camera and microphone lists, following `devicechange`. */
export function useDeviceLists(client: SwitchboardClient): DeviceLists {
  const [lists, setLists] = useState<DeviceLists>(client.devices.lists);
  useEffect(() => {
    void client.devices.refresh().then(setLists, () => undefined);
    return client.devices.on('devices', setLists);
  }, [client]);
  return lists;
}
