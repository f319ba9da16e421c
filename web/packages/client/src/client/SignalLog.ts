/**
 * The signals a call's peer connection needs beyond the one that just arrived: those that came
 * before the connection was built (held per call), and those since the last offer of the live
 * connection (replayed into a rebuilt one).
 */
import type { SignalData, SignalKind } from '../types';

export interface HeldSignal {
  kind: SignalKind;
  data: SignalData;
}

/** Enough for a full negotiation with many candidates; a runaway peer cannot grow it further. */
const MAX_HELD = 200;

export class SignalLog {
  private readonly early = new Map<string, HeldSignal[]>();
  private sinceOffer: HeldSignal[] = [];

  /** A signal for a call whose connection is not built yet. */
  hold(callId: string, signal: HeldSignal): void {
    const list = this.early.get(callId) ?? [];
    if (list.length < MAX_HELD) list.push(signal);
    this.early.set(callId, list);
  }

  /** The held signals of `callId`, in order, once (the connection is built). */
  takeHeld(callId: string): HeldSignal[] {
    const list = this.early.get(callId) ?? [];
    this.early.delete(callId);
    return list;
  }

  /** A signal handed to the live connection; an offer (or restart) starts the log afresh. */
  record(signal: HeldSignal): void {
    if (signal.kind === 'offer' || signal.kind === 'restart') this.sinceOffer = [];
    this.sinceOffer.push(signal);
    if (this.sinceOffer.length > MAX_HELD) this.sinceOffer.shift();
  }

  /** What a rebuilt connection replays: the log since the last offer, else `fallback` alone. */
  replay(fallback: HeldSignal): HeldSignal[] {
    return this.sinceOffer.length ? this.sinceOffer.slice() : [fallback];
  }

  /** The log of the rebuilt connection: what it was just given. */
  restart(replayed: HeldSignal[]): void {
    this.sinceOffer = replayed;
  }
}
