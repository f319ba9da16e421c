// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeviceLists, SwitchboardClient } from '@switchboard/client';
import { connectedClient } from '../../../../client/src/test/client';
import { FakeSocket } from '../../../../client/src/test/fakes';
import { device, FakeDevices } from '../../../../client/src/test/media';
import { renderHook, update, updateAsync } from '../../../../../src/testing/render';
import { useDeviceLists } from './useDeviceLists';

describe('useDeviceLists', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('refreshes the lists on mount and follows device changes', async () => {
    const devices = new FakeDevices();
    const labelled: DeviceLists = {
      audioinput: [device('audioinput', 'mic-0', 'Headset')],
      videoinput: [],
      audiooutput: [],
    };
    const refresh = vi.spyOn(devices, 'refresh').mockResolvedValue(labelled);
    const { client } = connectedClient('client', {}, devices);
    let hook!: ReturnType<typeof renderHook<SwitchboardClient, DeviceLists>>;
    await updateAsync(async () => {
      hook = renderHook((c: SwitchboardClient) => useDeviceLists(c), client);
      await Promise.resolve();
    });
    expect(refresh).toHaveBeenCalledOnce();
    expect(hook.result.current.audioinput.map((d) => d.label)).toEqual(['Headset']);
    update(() =>
      devices.plug({
        audioinput: [],
        videoinput: [device('videoinput', 'cam-1', 'USB camera')],
        audiooutput: [],
      }),
    );
    expect(hook.result.current.videoinput.map((d) => d.label)).toEqual(['USB camera']);
    hook.unmount();
    client.dispose();
  });
});
