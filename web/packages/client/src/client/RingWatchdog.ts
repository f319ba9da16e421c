/**
 * Staff: each ringing call stops ringing here at its deadline even if the server's update is
 * lost; the call is then fetched to learn its real state.
 */
import type { CallStore } from '../call/CallStore';
import { partyName } from '../call/describe';
import type { RestClient } from '../rest/RestClient';
import type { Call } from '../types';
import { getLogger } from '../util/logger';

const log = getLogger('ring');

/** Past the deadline, the server's own update gets this long to arrive first. */
const GRACE_MS = 500;

export class RingWatchdog {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: CallStore,
    private readonly rest: RestClient,
  ) {
    this.unsubscribe = store.on('change', (s) => this.watch(s.incoming));
  }

  /** The server said the call stopped ringing: no need to watch it. */
  forget(callId: string): void {
    const t = this.timers.get(callId);
    if (t) clearTimeout(t);
    this.timers.delete(callId);
  }

  dispose(): void {
    this.unsubscribe();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private watch(incoming: Call[]): void {
    for (const call of incoming) {
      if (this.timers.has(call.id) || !call.ring_deadline) continue;
      const due = Date.parse(call.ring_deadline) - this.rest.clockOffsetMs - Date.now();
      this.timers.set(
        call.id,
        setTimeout(() => this.deadlinePassed(call), Math.max(0, due) + GRACE_MS),
      );
    }
  }

  private deadlinePassed(call: Call): void {
    this.timers.delete(call.id);
    if (this.store.record(call.id)?.view.state !== 'ringing') return;
    log.warn(`call ${call.id}: ring deadline passed without an update; stopping the ring`);
    this.store.dismissIncoming(call.id);
    this.store.notify('missed', `Missed call from ${partyName(call.caller)}`, call.id);
    void this.rest.getCall(call.id).then(
      (c) => this.store.applyServerCall(c),
      () => undefined,
    );
  }
}
