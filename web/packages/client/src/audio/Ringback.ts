/**
 * The caller's ringback: the soft "brr-brr" that says the other end is ringing, made with Web
 * Audio (440 + 480 Hz, two seconds on, four off, as North American ringback), so no file is
 * fetched. Browsers keep an AudioContext suspended until the page gets a click or a key press;
 * after a reload that is the case, and the state says `blocked` until `unlock()` runs from one.
 */
import { TypedEmitter } from '../util/emitter';
import { getLogger } from '../util/logger';

const log = getLogger('ringback');

export type RingbackState =
  /** Not ringing, or turned off. */
  | 'silent'
  | 'playing'
  /** Ringing, but the browser keeps sound off until the person clicks or presses a key. */
  | 'blocked';

type RingbackEvents = { state: (s: RingbackState) => void };

export interface RingbackOptions {
  /** Seam for tests; the browser's AudioContext by default (null where there is none). */
  createContext?: () => AudioContext | null;
}

const FREQUENCIES_HZ = [440, 480];
const ON_S = 2;
const CYCLE_S = 6;
/** Quiet: a cue under the page, not an alarm. */
const VOLUME = 0.05;
/** How far ahead the on/off cycles are written into the gain's timeline. */
const SCHEDULE_AHEAD_S = 60;

export class Ringback extends TypedEmitter<RingbackEvents> {
  private readonly createContext: () => AudioContext | null;
  private context: AudioContext | null = null;
  private nodes: { oscillators: OscillatorNode[]; gain: GainNode } | null = null;
  private wanted = false;
  private stateValue: RingbackState = 'silent';
  private refill: ReturnType<typeof setInterval> | null = null;

  constructor(opts: RingbackOptions = {}) {
    super();
    this.createContext =
      opts.createContext ??
      (() => (typeof AudioContext === 'undefined' ? null : new AudioContext()));
  }

  get state(): RingbackState {
    return this.stateValue;
  }

  /** Starts the tone (idempotent). */
  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.context ??= this.createContext();
    const ctx = this.context;
    if (!ctx) return;
    const gain = ctx.createGain();
    gain.gain.value = 0;
    gain.connect(ctx.destination);
    const oscillators = FREQUENCIES_HZ.map((hz) => {
      const osc = ctx.createOscillator();
      osc.frequency.value = hz;
      osc.connect(gain);
      osc.start();
      return osc;
    });
    this.nodes = { oscillators, gain };
    this.schedule(ctx.currentTime);
    // The timeline is written a minute ahead; top it up while ringing lasts longer.
    let from = ctx.currentTime + SCHEDULE_AHEAD_S;
    this.refill = setInterval(
      () => {
        if (!this.nodes) return;
        this.schedule(from);
        from += SCHEDULE_AHEAD_S;
      },
      (SCHEDULE_AHEAD_S - 10) * 1000,
    );
    void this.resume();
  }

  /** Stops the tone and lets the audio hardware go. */
  stop(): void {
    this.wanted = false;
    if (this.refill) clearInterval(this.refill);
    this.refill = null;
    if (this.nodes) {
      for (const osc of this.nodes.oscillators) {
        osc.stop();
        osc.disconnect();
      }
      this.nodes.gain.disconnect();
      this.nodes = null;
    }
    if (this.context?.state === 'running') void this.context.suspend().catch(() => undefined);
    this.setState('silent');
  }

  /** From a click or key press: lets a blocked tone play. True when sound is on now. */
  async unlock(): Promise<boolean> {
    if (!this.wanted) return false;
    return this.resume();
  }

  dispose(): void {
    this.stop();
    void this.context?.close().catch(() => undefined);
    this.context = null;
  }

  private async resume(): Promise<boolean> {
    const ctx = this.context;
    if (!ctx) return false;
    try {
      // Without a gesture since load, Chromium leaves the promise pending: do not wait for it.
      await Promise.race([ctx.resume(), new Promise((r) => setTimeout(r, 200))]);
    } catch (e) {
      log.debug('ringback could not start', { error: String(e) });
    }
    if (!this.wanted) return false;
    const running = ctx.state === 'running';
    this.setState(running ? 'playing' : 'blocked');
    return running;
  }

  /** Two seconds on, four off, with soft edges, from `start` for SCHEDULE_AHEAD_S seconds. */
  private schedule(start: number): void {
    const gain = this.nodes?.gain.gain;
    if (!gain) return;
    for (let t = start; t < start + SCHEDULE_AHEAD_S; t += CYCLE_S) {
      gain.setTargetAtTime(VOLUME, t, 0.02);
      gain.setTargetAtTime(0, t + ON_S, 0.02);
    }
  }

  private setState(s: RingbackState): void {
    if (s === this.stateValue) return;
    this.stateValue = s;
    this.emit('state', s);
  }
}
