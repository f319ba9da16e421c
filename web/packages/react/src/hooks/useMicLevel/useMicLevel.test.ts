// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeStream } from '../../../../client/src/test/media';
import { renderHook, update } from '../../../../../src/testing/render';
import { useMicLevel } from './useMicLevel';

/** The analyser's samples: 128 is silence, 0 and 255 the loudest. */
let samples = 128;
const closed = vi.fn();
const disconnected = vi.fn();

class FakeAudioContext {
  createMediaStreamSource() {
    return { connect: vi.fn(), disconnect: disconnected };
  }
  createAnalyser() {
    return {
      fftSize: 0,
      getByteTimeDomainData: (data: Uint8Array) => data.fill(samples),
    };
  }
  resume() {
    return Promise.resolve();
  }
  close() {
    closed();
    return Promise.resolve();
  }
}

describe('useMicLevel', () => {
  let frame: ((t: number) => void) | null = null;
  const cancel = vi.fn();
  beforeEach(() => {
    vi.stubGlobal('AudioContext', FakeAudioContext);
    vi.stubGlobal('MediaStream', class {});
    vi.stubGlobal('requestAnimationFrame', (cb: (t: number) => void) => {
      frame = cb;
      return 7;
    });
    vi.stubGlobal('cancelAnimationFrame', cancel);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    samples = 128;
  });

  it('is 0 without a stream', () => {
    const { result } = renderHook((s: MediaStream | null) => useMicLevel(s), null);
    expect(result.current).toBe(0);
    expect(frame).toBeNull();
  });

  it('measures loudness at most every 80 ms, capped at 1, and cleans up', () => {
    const { result, unmount } = renderHook((s: MediaStream | null) => useMicLevel(s), fakeStream());
    samples = 144; // A quiet signal: (16/128) * 4 = 0.5.
    update(() => frame!(100));
    expect(result.current).toBeCloseTo(0.5);
    samples = 255;
    update(() => frame!(150)); // Too soon after the last reading.
    expect(result.current).toBeCloseTo(0.5);
    update(() => frame!(200));
    expect(result.current).toBe(1);
    unmount();
    expect(cancel).toHaveBeenCalledWith(7);
    expect(disconnected).toHaveBeenCalled();
    expect(closed).toHaveBeenCalled();
  });
});
