// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OpsMonitor } from '@switchboard/client';
import { renderHook } from '../../../../../src/testing/render';
import { useOpsMonitor } from './useOpsMonitor';

describe('useOpsMonitor', () => {
  afterEach(() => vi.restoreAllMocks());

  it('starts one monitor on mount, a fresh one for a new token source, and stops each', () => {
    const start = vi.spyOn(OpsMonitor.prototype, 'start').mockImplementation(() => undefined);
    const stop = vi.spyOn(OpsMonitor.prototype, 'stop').mockImplementation(() => undefined);
    const tokenA = () => 'a';
    const { result, rerender, unmount } = renderHook(
      (getToken: () => string | null) => useOpsMonitor(getToken),
      tokenA,
    );
    const first = result.current;
    expect(first).toBeInstanceOf(OpsMonitor);
    expect(start).toHaveBeenCalledOnce();
    expect((window as unknown as { __ops?: OpsMonitor }).__ops).toBe(first);
    rerender(tokenA);
    expect(result.current).toBe(first); // Same token source: same monitor.
    rerender(() => 'b');
    expect(result.current).not.toBe(first);
    expect(stop.mock.contexts).toEqual([first]);
    unmount();
    expect(stop).toHaveBeenCalledTimes(2);
  });
});
