/**
 * The call state of one signed-in person (caller or staff member): one explicit phase machine
 * for the browser's side (phases.ts) over one CallRecord per call for the server's side
 * (spec/call-fsm.json). The store is the single source of truth the UI subscribes to and the
 * only owner of the phase: it changes it and says what the change causes (`effect`). It never
 * does I/O itself (SwitchboardClient's parts do), so every rule here is testable without a network.
 */
import { SwitchboardError } from '../errors';
import type { Call, QualitySummary, QueueSpot, ServerCallState } from '../types';
import { TypedEmitter } from '../util/emitter';
import { getLogger } from '../util/logger';
import { CallRecord, type CallSnapshot, type PendingAction } from './CallRecord';
import { isTerminal, type FsmEvent } from './callFsm';
import { describeEnd, partyName } from './describe';
import {
  CallPhase,
  PhaseEvent,
  phaseEffects,
  phaseTable,
  type PhaseEffect,
  type PhaseTable,
} from './phases';

const log = getLogger('store');

/** "Transferring you to Ben…" from the new call of a transfer (docs/queue.md#transfer). */
export function transferText(next: Pick<Call, 'transfer_target' | 'topic'>): string {
  const name = next.transfer_target?.name;
  if (name) return `Transferring you to ${name}…`;
  if (next.topic) return `Transferring you to our ${next.topic} team…`;
  return 'Transferring your call…';
}

export type Role = 'client' | 'staff';

export interface LocalQuality {
  samples: number;
  rttAvgMs: number | null;
  lossMaxPct: number | null;
  candidateType: string | null;
}

export interface CallSummary {
  callId: string;
  outcome: ServerCallState;
  endReason: string | null;
  headline: string;
  detail: string;
  tone: 'neutral' | 'warning' | 'error';
  otherParty: string;
  durationMs: number | null;
  endedAt: string | null;
  quality: QualitySummary | null;
  localQuality: LocalQuality | null;
  /** The server answered 200 to the rating (never set before that). */
  feedbackSent: boolean;
  /** The rating is on its way. */
  feedbackSending: boolean;
  /** Why the last try failed (friendly text); it can be sent again. */
  feedbackError: string | null;
}

export type NoticeKind =
  'answered' | 'answered_elsewhere' | 'missed' | 'declined' | 'cancelled' | 'error' | 'info';

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
  callId?: string;
}

export interface StoreSnapshot {
  role: Role;
  phase: CallPhase;
  /** The call this person is in, or placing, or accepting. */
  current: CallSnapshot | null;
  /** Staff: calls ringing for them right now (oldest first). */
  incoming: Call[];
  summary: CallSummary | null;
  error: SwitchboardError | null;
}

export type StoreEventCallbacks = {
  change: (s: StoreSnapshot) => void;
  notice: (n: Notice) => void;
  /** What a phase change asks of the client (after `change`, so the snapshot is current). */
  effect: (effect: PhaseEffect) => void;
};

let noticeIds = 0;

export class CallStore extends TypedEmitter<StoreEventCallbacks> {
  readonly role: Role;
  private readonly table: PhaseTable;
  private phaseValue = CallPhase.Idle;
  private readonly records = new Map<string, CallRecord>();
  private readonly dismissed = new Set<string>();
  private readonly finished = new Set<string>();
  private currentId: string | null = null;
  /** The transferred-to call whose first update tells the caller whom they are passed to. */
  private transferNoticeFor: string | null = null;
  private summaryValue: CallSummary | null = null;
  private errorValue: SwitchboardError | null = null;
  private snap: StoreSnapshot;
  userId: string | null = null;

  constructor(role: Role) {
    super();
    this.role = role;
    this.table = phaseTable(role);
    this.snap = this.build();
  }

  get phase(): CallPhase {
    return this.phaseValue;
  }

  get currentCallId(): string | null {
    return this.currentId;
  }

  /** The immutable snapshot for `useSyncExternalStore`. */
  getSnapshot = (): StoreSnapshot => this.snap;

  subscribe = (fn: () => void): (() => void) => this.on('change', () => fn());

  record(id: string): CallRecord | undefined {
    return this.records.get(id);
  }

  /** Is `event` allowed in the current phase? */
  can(event: PhaseEvent): boolean {
    return this.table[this.phaseValue][event] !== undefined;
  }

  /**
   * The one function that changes the phase (LiveKit's setAndEmitState), and the only owner of
   * phase changes: the client reports what happened in the browser here, server snapshots reach
   * it through applyServerCall. A refused event is logged and ignored: nothing else changes.
   */
  dispatch(event: PhaseEvent): boolean {
    const from = this.phaseValue;
    const to = this.table[from][event];
    if (to === undefined) {
      log.warn(`${this.role}: phase event "${event}" ignored in phase "${from}"`);
      return false;
    }
    this.phaseValue = to;
    if (to === CallPhase.Idle) {
      this.currentId = null;
      this.summaryValue = null;
    }
    if (from === CallPhase.Ended && to !== CallPhase.Ended) this.summaryValue = null;
    log.info(`${this.role}: ${from} -> ${to} (${event})`);
    this.changed();
    for (const effect of phaseEffects(from, to, event)) this.emit('effect', effect);
    return true;
  }

  setError(err: SwitchboardError | null): void {
    this.errorValue = err;
    this.changed();
  }

  notify(kind: NoticeKind, text: string, callId?: string): void {
    this.emit('notice', { id: ++noticeIds, kind, text, callId });
  }

  /** Makes `call` the one this person is in (after a create, an accept, or a resync). */
  setCurrent(call: Call): void {
    this.currentId = call.id;
    this.ensureRecord(call);
    this.changed();
  }

  /** A queued call's place changed (`queue.updated`); unknown calls are ignored. */
  applyQueueSpot(callId: string, spot: QueueSpot): void {
    const rec = this.records.get(callId);
    if (!rec) return;
    rec.setQueueSpot(spot);
    this.changed();
  }

  /** Takes a server snapshot from `welcome`, `call.incoming`, `call.updated` or a REST answer. */
  applyServerCall(call: Call): void {
    const known = this.records.get(call.id);
    const before = known?.view.state ?? null;
    const rec = this.ensureRecord(call);
    if (known && rec.applyServer(call) !== 'applied') {
      this.changed();
      return;
    }
    this.afterServerChange(rec, before);
  }

  /**
   * Re-derives the phase from what is known of the current call. Needed when updates about it
   * arrived before this browser knew it was its call (a call.updated racing the create's 201).
   */
  reevaluateCurrent(): void {
    const rec = this.currentId ? this.records.get(this.currentId) : undefined;
    if (rec) this.afterServerChange(rec, 'ringing');
  }

  /** Applies a spec event by name to a known call (tests, and events known without a snapshot). */
  applyServerEvent(callId: string, event: FsmEvent): boolean {
    const rec = this.records.get(callId);
    if (!rec) {
      log.warn(`event "${event}" for unknown call ${callId} ignored`);
      return false;
    }
    const before = rec.view.state;
    if (!rec.applyEvent(event)) return false;
    this.afterServerChange(rec, before);
    return true;
  }

  /** Starts an optimistic server action; null when the spec or a pending action refuses it. */
  beginAction(callId: string, event: FsmEvent): PendingAction | null {
    const rec = this.records.get(callId);
    if (!rec) {
      log.warn(`"${event}" for unknown call ${callId} ignored`);
      return null;
    }
    const before = rec.view.state;
    const action = rec.begin(event);
    if (action) this.afterServerChange(rec, before);
    return action;
  }

  /** Whether an action on the call still waits for the server's answer. */
  hasPendingAction(callId: string): boolean {
    return this.records.get(callId)?.pending != null;
  }

  commitAction(action: PendingAction, call: Call | null): void {
    const rec = this.records.get(action.callId);
    if (!rec) return;
    const before = rec.view.state;
    rec.commit(action, call);
    this.afterServerChange(rec, before);
  }

  rollbackAction(action: PendingAction, err: SwitchboardError): void {
    const rec = this.records.get(action.callId);
    if (!rec) return;
    const before = rec.view.state;
    rec.rollback(action, err.code);
    this.afterServerChange(rec, before);
  }

  /** Staff: stop showing a ringing call (declined here, or its deadline passed locally). */
  dismissIncoming(callId: string): void {
    this.dismissed.add(callId);
    this.changed();
  }

  forget(callId: string): void {
    this.records.delete(callId);
    if (this.currentId === callId) this.currentId = null;
    this.changed();
  }

  /** Non-terminal calls this store knows about (for resync after a reconnect). */
  liveCallIds(): string[] {
    return [...this.records.values()].filter((r) => !isTerminal(r.view.state)).map((r) => r.id);
  }

  updateSummary(patch: Partial<CallSummary>): void {
    if (!this.summaryValue) return;
    this.summaryValue = { ...this.summaryValue, ...patch };
    this.changed();
  }

  private ensureRecord(call: Call): CallRecord {
    let rec = this.records.get(call.id);
    if (!rec) {
      rec = new CallRecord(call);
      this.records.set(call.id, rec);
    }
    return rec;
  }

  private afterServerChange(rec: CallRecord, before: string | null): void {
    const call = rec.view;
    const state = call.state;
    if (rec.id === this.currentId) {
      if (this.transferNoticeFor === rec.id) {
        this.transferNoticeFor = null;
        this.notify('info', transferText(call), rec.id);
      }
      if (
        this.role === 'client' &&
        (state === 'accepted' || state === 'active') &&
        this.phaseValue === CallPhase.Ringing
      ) {
        this.dispatch(PhaseEvent.ServerAccepted);
        this.notify('answered', `Answered by ${partyName(call.staff)}`, call.id);
      }
      if (isTerminal(state) && call.transferred_to && this.follow(rec, call.transferred_to)) return;
      if (isTerminal(state) && !rec.pending && !this.finished.has(rec.id)) this.finish(rec);
    } else if (
      this.role === 'staff' &&
      before === 'ringing' &&
      state !== 'ringing' &&
      !rec.pending &&
      !this.dismissed.has(rec.id)
    ) {
      // A call that rang here went elsewhere: say why, once.
      const caller = partyName(call.caller);
      if (state === 'accepted' || state === 'active') {
        if (call.staff?.id !== this.userId)
          this.notify('answered_elsewhere', `Answered by ${partyName(call.staff)}`, call.id);
      } else if (state === 'missed') this.notify('missed', `Missed call from ${caller}`, call.id);
      else if (state === 'cancelled') this.notify('cancelled', `${caller} hung up`, call.id);
      else if (state === 'declined')
        this.notify('declined', `Call from ${caller} declined`, call.id);
    }
    this.changed();
  }

  /**
   * Caller: the staff member passed the call on (docs/queue.md#transfer). The new call becomes the
   * current one, which rings; camera and microphone stay. False when this phase cannot follow.
   */
  private follow(rec: CallRecord, nextId: string): boolean {
    if (this.role !== 'client' || !this.can(PhaseEvent.Transferred)) return false;
    this.finished.add(rec.id);
    this.currentId = nextId;
    this.dispatch(PhaseEvent.Transferred);
    // The notice names whom the call goes to, which the new call's first update carries
    // (`transfer_target`); that update usually follows this one.
    this.transferNoticeFor = nextId;
    // The new call's first update may have come first.
    const next = this.records.get(nextId);
    if (next) this.afterServerChange(next, null);
    else this.changed();
    return true;
  }

  private finish(rec: CallRecord): void {
    this.finished.add(rec.id);
    const call = rec.view as Call;
    const words = describeEnd(call, this.role);
    const duration =
      call.active_at && call.ended_at
        ? Date.parse(call.ended_at) - Date.parse(call.active_at)
        : null;
    this.summaryValue = {
      callId: call.id,
      outcome: call.state,
      endReason: call.end_reason,
      headline: words.headline,
      detail: words.detail,
      tone: words.tone,
      otherParty: this.role === 'client' ? partyName(call.staff) : partyName(call.caller),
      durationMs: duration !== null && Number.isFinite(duration) ? duration : null,
      endedAt: call.ended_at,
      quality: null,
      localQuality: null,
      feedbackSent: false,
      feedbackSending: false,
      feedbackError: null,
    };
    if (this.can(PhaseEvent.ServerTerminal)) this.dispatch(PhaseEvent.ServerTerminal);
    else if (this.role === 'staff' && this.phaseValue === CallPhase.Accepting) {
      // Our accept raced with the end: the rollback path (accept_failed) takes the phase back.
    } else log.warn(`${this.role}: call ${call.id} ended while in phase ${this.phaseValue}`);
  }

  private build(): StoreSnapshot {
    const current = this.currentId ? (this.records.get(this.currentId)?.view ?? null) : null;
    const incoming =
      this.role === 'staff'
        ? [...this.records.values()]
            .filter(
              (r) =>
                r.view.state === 'ringing' && r.id !== this.currentId && !this.dismissed.has(r.id),
            )
            .map((r) => r.view as Call)
            .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))
        : [];
    return {
      role: this.role,
      phase: this.phaseValue,
      current,
      incoming,
      summary: this.summaryValue,
      error: this.errorValue,
    };
  }

  private changed(): void {
    this.snap = this.build();
    this.emit('change', this.snap);
  }
}
