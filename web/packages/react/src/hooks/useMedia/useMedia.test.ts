// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import type { SwitchboardClient } from '@switchboard/client';
import { connectedClient } from '../../../../client/src/test/client';
import { FakeSocket } from '../../../../client/src/test/fakes';
import { renderHook, update } from '../../../../../src/testing/render';
import { useMedia } from './useMedia';

describe('useMedia', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('re-renders with each media change', () => {
    const { client } = connectedClient('client', {});
    const { result, unmount } = renderHook((c: SwitchboardClient) => useMedia(c), client);
    expect(result.current).toMatchObject({ micOn: true, cameraOn: true, local: null });
    update(() => client.toggleMute());
    expect(result.current.micOn).toBe(false);
    update(() => client.toggleCamera());
    expect(result.current).toMatchObject({ micOn: false, cameraOn: false });
    unmount();
    client.dispose();
  });
});
