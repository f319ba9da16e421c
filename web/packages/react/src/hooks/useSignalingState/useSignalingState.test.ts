// @vitest-environment happy-dom
import { useLayoutEffect } from 'react';
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

  it('does not miss a change between its render and its subscription', () => {
    // The server's welcome can arrive after the first render and before passive effects run
    // (seen in the e2e run: the badge stayed "Connecting…" on an open connection).
    const { client, ws } = connectedClient('client', {});
    const { result, unmount } = renderHook((c: SwitchboardClient) => {
      const state = useSignalingState(c);
      useLayoutEffect(() => ws.welcome(), []);
      return state;
    }, client);
    expect(result.current).toBe(SignalingState.Open);
    unmount();
    client.dispose();
  });
});
