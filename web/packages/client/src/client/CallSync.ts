/**
 * What the server tells about this person's calls outside the call actions: the calls listed in
 * `welcome` (after a connect or a reconnect, possibly rejoining one), and, once a call has ended,
 * the summary completed with the server's view of its quality.
 */
import type { CallStore, LocalQuality, Role } from '../call/CallStore';
import { CallPhase } from '../call/phases';
import type { RestClient } from '../rest/RestClient';
import type { Call, User } from '../types';
import type { CallActions } from './CallActions';

export class CallSync {
  constructor(
    private readonly role: Role,
    private readonly store: CallStore,
    private readonly rest: RestClient,
    private readonly actions: CallActions,
  ) {}

  /** `welcome`: take the listed calls, learn how the missing ones ended, rejoin our own. */
  async welcome(user: User, calls: Call[]): Promise<void> {
    const { store } = this;
    const seen = new Set(calls.map((c) => c.id));
    for (const call of calls) store.applyServerCall(call);
    // Calls we knew as live but the server no longer lists have ended while we were away.
    for (const id of store.liveCallIds()) {
      if (seen.has(id)) continue;
      try {
        store.applyServerCall(await this.rest.getCall(id));
      } catch {
        store.dismissIncoming(id);
      }
    }
    if (store.phase !== CallPhase.Idle) return;
    const mine = calls.find((c) =>
      this.role === 'client'
        ? c.caller.id === user.id
        : (c.state === 'accepted' || c.state === 'active') && c.staff?.id === user.id,
    );
    if (mine) await this.actions.resume(mine);
  }

  /** The call ended: the local averages at once, then the server's summary when it answers. */
  async ended(local: LocalQuality | null): Promise<void> {
    const summary = this.store.getSnapshot().summary;
    if (local) this.store.updateSummary({ localQuality: local });
    if (!summary) return;
    // The server's summary of the call's quality is on the call once it has ended.
    try {
      const call = await this.rest.getCall(summary.callId);
      const mine = this.role === 'client' ? call.quality?.caller : call.quality?.staff;
      const duration =
        call.active_at && call.ended_at
          ? Date.parse(call.ended_at) - Date.parse(call.active_at)
          : summary.durationMs;
      this.store.updateSummary({ quality: mine ?? null, durationMs: duration });
    } catch {
      /* The local summary stays. */
    }
  }
}
