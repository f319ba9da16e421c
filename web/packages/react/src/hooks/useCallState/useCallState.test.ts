// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { CallPhase, SwitchboardClient } from '@switchboard/client';
import { connectedClient } from '../../../../client/src/test/client';
import { FakeSocket, makeCall } from '../../../../client/src/test/fakes';
import { renderHook, update } from '../../../../../src/testing/render';
import { useCallState } from './useCallState';

describe('useCallState', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('follows the store: incoming calls and the phase', () => {
    const { client, ws } = connectedClient('staff', {});
    const { result } = renderHook((c: SwitchboardClient) => useCallState(c), client);
    expect(result.current.phase).toBe(CallPhase.Idle);
    expect(result.current.incoming).toEqual([]);
    update(() => ws.serverSend({ type: 'call.incoming', call: makeCall() }));
    expect(result.current.incoming.map((c) => c.id)).toEqual(['call-1']);
    expect(result.current.role).toBe('staff');
    client.dispose();
  });
});
