/** The ringback against a scripted AudioContext: when it sounds, and what a blocked one says. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Ringback } from './Ringback';

class FakeParam {
  value = 0;
  events: [number, number][] = [];
  setTargetAtTime(v: number, t: number) {
    this.events.push([v, t]);
  }
}

class FakeContext {
  state: AudioContextState = 'suspended';
  currentTime = 0;
  destination = {};
  oscillators: { frequency: { value: number }; started: boolean; stopped: boolean }[] = [];
  gains: FakeParam[] = [];
  /** Whether resume() works: true after a gesture, false (pending forever) before one. */
  constructor(private allowed: boolean) {}
  createGain() {
    const gain = new FakeParam();
    this.gains.push(gain);
    return { gain, connect: vi.fn(), disconnect: vi.fn() };
  }
  createOscillator() {
    const osc = {
      frequency: { value: 0 },
      started: false,
      stopped: false,
      connect: vi.fn(),
      disconnect: vi.fn(),
      start() {
        osc.started = true;
      },
      stop() {
        osc.stopped = true;
      },
    };
    this.oscillators.push(osc);
    return osc;
  }
  resume() {
    if (!this.allowed) return new Promise<void>(() => undefined);
    this.state = 'running';
    return Promise.resolve();
  }
  suspend() {
    this.state = 'suspended';
    return Promise.resolve();
  }
  close() {
    this.state = 'closed';
    return Promise.resolve();
  }
  allow() {
    this.allowed = true;
  }
}

function make(allowed: boolean) {
  const ctx = new FakeContext(allowed);
  const ringback = new Ringback({ createContext: () => ctx as unknown as AudioContext });
  const states: string[] = [];
  ringback.on('state', (s) => states.push(s));
  return { ctx, ringback, states };
}

describe('Ringback', () => {
  afterEach(() => vi.useRealTimers());

  it('plays 440 + 480 Hz, two seconds on and four off, quietly, until stopped', async () => {
    const { ctx, ringback, states } = make(true);
    ringback.start();
    await vi.waitFor(() => expect(ringback.state).toBe('playing'));
    expect(ctx.oscillators.map((o) => [o.frequency.value, o.started])).toEqual([
      [440, true],
      [480, true],
    ]);
    const [first, second, third] = ctx.gains[0]?.events ?? [];
    expect(first).toEqual([0.05, 0]);
    expect(second).toEqual([0, 2]);
    expect(third).toEqual([0.05, 6]);
    ringback.stop();
    expect(ctx.oscillators.every((o) => o.stopped)).toBe(true);
    expect(ctx.state).toBe('suspended');
    expect(states).toEqual(['playing', 'silent']);
  });

  it('says blocked when the browser keeps sound off, and plays after unlock from a gesture', async () => {
    vi.useFakeTimers();
    const { ctx, ringback } = make(false);
    ringback.start();
    await vi.advanceTimersByTimeAsync(250);
    expect(ringback.state).toBe('blocked');
    ctx.allow();
    expect(await ringback.unlock()).toBe(true);
    expect(ringback.state).toBe('playing');
  });

  it('does nothing where there is no Web Audio, and unlock outside a ring is a no', async () => {
    const ringback = new Ringback({ createContext: () => null });
    expect(await ringback.unlock()).toBe(false);
    ringback.start();
    expect(ringback.state).toBe('silent');
    ringback.stop();
  });
});
