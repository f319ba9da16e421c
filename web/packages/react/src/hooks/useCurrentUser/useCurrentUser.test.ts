// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import type { SwitchboardClient } from '../../sdk';
import { connectedClient } from '../../sdk/test/client';
import { FakeSocket } from '../../sdk/test/fakes';
import { renderHook, update } from '../../testing/render';
import { useCurrentUser } from './useCurrentUser';

describe('useCurrentUser', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('is null until welcome names the user', () => {
    const { client, ws } = connectedClient('client', {});
    const { result } = renderHook((c: SwitchboardClient) => useCurrentUser(c), client);
    expect(result.current).toBeNull();
    update(() => ws.welcome());
    expect(result.current).toMatchObject({ id: 'cli-1', name: 'Carla' });
    client.dispose();
  });
});
