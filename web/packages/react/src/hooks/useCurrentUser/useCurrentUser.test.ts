// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import type { SwitchboardClient } from '@switchboard/client';
import { connectedClient } from '../../../../client/src/test/client';
import { FakeSocket } from '../../../../client/src/test/fakes';
import { renderHook, update } from '../../../../../src/testing/render';
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
