/**
 * One call as this browser knows it: the last snapshot the server confirmed, plus at most one
 * optimistic action in flight. The view is the prediction while the action is pending; when the
 * server refuses, the prediction is dropped (rolled back) and the view is the confirmed snapshot
 * again. Every change is checked against the spec first, so a refused event changes nothing.
 */
import type { Call, QueueSpot } from '../types';
import { getLogger } from '../util/logger';
import { eventFor, type FsmEvent, type FsmState, reachable, transition } from './callFsm';

const log = getLogger('call');

/** A call snapshot whose state may be `none` (a call being created). */
export type CallSnapshot = Omit<Call, 'state'> & { state: FsmState };

export interface PendingAction {
  readonly id: number;
  readonly callId: string;
  readonly event: FsmEvent;
}

export type ServerApplyResult = 'applied' | 'stale' | 'refused';

let actionIds = 0;

export function draftCall(id = ''): CallSnapshot {
  return {
    id,
    org_id: '',
    state: 'none',
    version: 0,
    caller: { id: '' },
    staff: null,
    media: { audio: true, video: true },
    metadata: {},
    created_at: new Date(0).toISOString(),
    ring_deadline: null,
    accepted_at: null,
    active_at: null,
    ended_at: null,
    end_reason: null,
  };
}

export class CallRecord {
  private confirmedCall: CallSnapshot;
  private pendingAction: PendingAction | null = null;
  private predicted: CallSnapshot | null = null;

  constructor(initial: CallSnapshot) {
    this.confirmedCall = initial;
  }

  get id(): string {
    return this.confirmedCall.id;
  }

  /** What the UI shows: the prediction while an action is pending, else the server's snapshot. */
  get view(): CallSnapshot {
    return this.predicted ?? this.confirmedCall;
  }

  get confirmed(): CallSnapshot {
    return this.confirmedCall;
  }

  get pending(): PendingAction | null {
    return this.pendingAction;
  }

  /**
   * Applies a spec event directly to the confirmed state (used for the vectors and for events the
   * server announces by name). Returns false, and changes nothing, when the spec refuses it.
   */
  applyEvent(event: FsmEvent): boolean {
    const t = transition(this.confirmedCall.state, event);
    if (!t) {
      log.warn(
        `call ${this.id || '(new)'}: event "${event}" refused in state "${this.confirmedCall.state}"`,
      );
      return false;
    }
    this.confirmedCall = {
      ...this.confirmedCall,
      state: t.to,
      end_reason: t.end_reason,
      version: this.confirmedCall.version + 1,
    };
    this.reconcilePending();
    log.info(`call ${this.id || '(new)'}: ${t.from} -> ${t.to} (${event})`);
    return true;
  }

  /** A queued call's new place (`queue.updated`, docs/queue.md): not a transition. */
  setQueueSpot(spot: QueueSpot): void {
    if (this.confirmedCall.state !== 'queued') return;
    this.confirmedCall = { ...this.confirmedCall, queue: spot };
    if (this.predicted) this.predicted = { ...this.predicted, queue: spot };
  }

  /**
   * Takes a server snapshot. Older or equal versions are stale. The next version must be an
   * allowed transition; a jump of several versions (missed updates, a resync from `welcome`)
   * must at least be reachable in the spec. Anything else is refused and logged.
   */
  applyServer(call: Call): ServerApplyResult {
    const cur = this.confirmedCall;
    if (cur.id && call.id !== cur.id) {
      log.warn(`call ${cur.id}: snapshot for another call ${call.id} ignored`);
      return 'refused';
    }
    if (cur.state !== 'none' && call.version <= cur.version) return 'stale';
    const sameState = call.state === cur.state;
    let ok: boolean;
    if (cur.state === 'none')
      ok = true; // First sight of the call: take it as it is.
    else if (sameState)
      ok = true; // A newer version of the same state (e.g. staff filled in).
    else if (call.version === cur.version + 1)
      ok = eventFor(cur.state, call.state, call.end_reason) !== null;
    else ok = reachable(cur.state, call.state);
    if (!ok) {
      log.warn(
        `call ${call.id}: server snapshot ${cur.state} -> ${call.state} (v${cur.version} -> v${call.version}) refused by the spec`,
      );
      return 'refused';
    }
    if (!sameState)
      log.info(`call ${call.id}: ${cur.state} -> ${call.state} (server v${call.version})`);
    this.confirmedCall = call;
    this.reconcilePending();
    return 'applied';
  }

  /**
   * Starts an optimistic action. Returns null, and changes nothing, when `event` is not allowed
   * in the current view or another action is already pending.
   */
  begin(event: FsmEvent): PendingAction | null {
    if (this.pendingAction) {
      log.warn(
        `call ${this.id}: "${event}" ignored, "${this.pendingAction.event}" is still pending`,
      );
      return null;
    }
    const t = transition(this.confirmedCall.state, event);
    if (!t) {
      log.warn(
        `call ${this.id || '(new)'}: "${event}" ignored in state "${this.confirmedCall.state}"`,
      );
      return null;
    }
    const action: PendingAction = { id: ++actionIds, callId: this.id, event };
    this.pendingAction = action;
    this.predicted = { ...this.confirmedCall, state: t.to, end_reason: t.end_reason };
    log.debug(`call ${this.id}: optimistic ${t.from} -> ${t.to} (${event})`);
    return action;
  }

  /** The server accepted `action`; `call` is its answer. */
  commit(action: PendingAction, call: Call | null): void {
    if (this.pendingAction?.id === action.id) {
      this.pendingAction = null;
      this.predicted = null;
    }
    if (call) this.applyServer(call);
  }

  /** The server refused `action`: drop the prediction. A newer snapshot stays. */
  rollback(action: PendingAction, reason: string): void {
    if (this.pendingAction?.id !== action.id) return;
    log.info(
      `call ${this.id}: "${action.event}" rolled back (${reason}); back to ${this.confirmedCall.state}`,
    );
    this.pendingAction = null;
    this.predicted = null;
  }

  private reconcilePending(): void {
    if (!this.pendingAction || !this.predicted) return;
    const confirmed = this.confirmedCall;
    if (confirmed.state === this.predicted.state) {
      // The server got there (possibly announcing it before answering our request).
      this.predicted = null;
      return;
    }
    const t = transition(confirmed.state, this.pendingAction.event);
    if (t) this.predicted = { ...confirmed, state: t.to, end_reason: t.end_reason };
    else {
      log.info(
        `call ${this.id}: pending "${this.pendingAction.event}" superseded by ${confirmed.state}`,
      );
      this.predicted = null;
    }
  }
}
