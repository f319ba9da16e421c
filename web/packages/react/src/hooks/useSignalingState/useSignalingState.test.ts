// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { SignalingState, type SwitchboardClient } from '@switchboard/client';
import { connectedClient } from '../../../../client/src/test/client';
import { FakeSocket } from '../../../../client/src/test/fakes';
import { renderHook, update } from '../../../../../src/testing/render';
import { useSignalingState } from './useSignalingState';

describe('useSignalingState', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('starts from the client state and follows its changes', () => {
    const { client, ws } = connectedClient('client', {});
    const { result, unmount } = renderHook((c: SwitchboardClient) => useSignalingState(c), client);
    expect(result.current).toBe(client.signaling.state);
    update(() => ws.welcome());
    expect(result.current).toBe(SignalingState.Open);
    update(() => ws.serverClose(1006));
    expect(result.current).toBe(SignalingState.Reconnecting);
    unmount();
    client.dispose();
  });
});
