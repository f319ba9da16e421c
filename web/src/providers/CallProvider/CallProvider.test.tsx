// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SwitchboardClient } from '@switchboard/client';
import { FakeSocket } from '../../../packages/client/src/test/fakes';
import { render, renderHook } from '../../testing/render';
import { CallProvider, useCallClient } from './CallProvider';

describe('CallProvider and useCallClient', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeSocket.instances = [];
  });

  it('useCallClient fails loudly outside a provider', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => renderHook(() => useCallClient(), null)).toThrow(/inside <CallProvider>/);
    vi.restoreAllMocks();
  });

  it('gives the children one connected client for the role, disposed on unmount', () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    const seen: SwitchboardClient[] = [];
    function Child() {
      seen.push(useCallClient());
      return <p>ready</p>;
    }
    const view = render(
      <CallProvider role="staff" getToken={() => 'jwt'}>
        <Child />
      </CallProvider>,
    );
    expect(view.container.textContent).toBe('ready');
    const client = seen.at(-1)!;
    expect(client).toBeInstanceOf(SwitchboardClient);
    expect(client.store.role).toBe('staff');
    expect(FakeSocket.instances).toHaveLength(1); // Connected on mount.
    view.unmount();
    expect(FakeSocket.latest().closedWith).toBe(1000);
  });
});
