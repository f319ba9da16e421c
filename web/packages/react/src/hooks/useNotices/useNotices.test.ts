// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SwitchboardClient } from '@switchboard/client';
import { connectedClient } from '../../../../client/src/test/client';
import { FakeSocket } from '../../../../client/src/test/fakes';
import { renderHook, update } from '../../../../../src/testing/render';
import { useNotices } from './useNotices';

describe('useNotices', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  function mounted() {
    const { client } = connectedClient('staff', {});
    const hook = renderHook((c: SwitchboardClient) => useNotices(c, 1000), client);
    const texts = () => hook.result.current[0].map((n) => n.text);
    return { client, hook, texts };
  }

  it('shows each notice until its time is up', () => {
    const { client, texts } = mounted();
    update(() => client.store.notify('info', 'one'));
    update(() => vi.advanceTimersByTime(500));
    update(() => client.store.notify('info', 'two'));
    expect(texts()).toEqual(['one', 'two']);
    update(() => vi.advanceTimersByTime(500));
    expect(texts()).toEqual(['two']);
    update(() => vi.advanceTimersByTime(500));
    expect(texts()).toEqual([]);
  });

  it('keeps errors twice as long', () => {
    const { client, texts } = mounted();
    update(() => client.store.notify('error', 'We could not reach the server.'));
    update(() => client.store.notify('info', 'one'));
    update(() => vi.advanceTimersByTime(1000));
    expect(texts()).toEqual(['We could not reach the server.']);
    update(() => vi.advanceTimersByTime(1000));
    expect(texts()).toEqual([]);
  });

  it('replaces a notice of the same kind about the same call, and keeps the last four', () => {
    const { client, texts } = mounted();
    update(() => client.store.notify('missed', 'Missed call from Carla', 'call-1'));
    update(() => client.store.notify('missed', 'Missed call from Carla again', 'call-1'));
    expect(texts()).toEqual(['Missed call from Carla again']);
    for (const n of ['a', 'b', 'c', 'd']) update(() => client.store.notify('info', n));
    expect(texts()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('dismisses one on request, and leaves no timer behind when unmounted', () => {
    const { client, hook, texts } = mounted();
    update(() => client.store.notify('info', 'one'));
    update(() => client.store.notify('info', 'two'));
    const [[first], dismiss] = hook.result.current;
    update(() => dismiss(first.id));
    expect(texts()).toEqual(['two']);
    hook.unmount();
    client.dispose(); // The client's own timers (the welcome wait) go too.
    expect(vi.getTimerCount()).toBe(0);
  });
});
