// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import type { SwitchboardClient } from '@switchboard/client';
import { connectedClient, staffUser } from '../../../../client/src/test/client';
import { FakeSocket, makeStaff } from '../../../../client/src/test/fakes';
import { renderHook, update } from '../../../../../src/testing/render';
import { useTeam } from './useTeam';

describe('useTeam', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('is empty until the first board, then the staff on it', () => {
    const { client, ws } = connectedClient('staff', {});
    ws.welcome(staffUser);
    const { result, unmount } = renderHook((c: SwitchboardClient) => useTeam(c, true), client);
    expect(result.current).toEqual([]);
    const before = result.current;
    update(() => client.store.notify('info', 'unrelated'));
    expect(result.current).toBe(before); // The same empty list: no re-render churn.
    update(() =>
      ws.serverSend({
        type: 'board',
        staff: [makeStaff('st-ana'), makeStaff('st-me', { status: 'away' })],
        queue: { length: 0 },
        seq: 1,
      }),
    );
    expect(result.current.map((s) => `${s.id}:${s.status}`)).toEqual([
      'st-ana:available',
      'st-me:away',
    ]);
    unmount();
    client.dispose();
  });
});
