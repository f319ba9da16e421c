/**
 * The org's staff board over the WebSocket (docs/asyncapi.yaml): `subscribe` to the `board` topic,
 * take the `board` snapshot (every entry, seq 1), then merge each `board.updated` (the entries
 * changed since the last message) by id. A gap in `seq` means a message was lost: subscribe
 * afresh. Subscriptions belong to a connection, so every `welcome` (a reconnect included)
 * subscribes again. The person's own `availability.updated` is merged too, so their row does not
 * wait for the next coalesced update.
 *
 * No React in here; `listen`/`getSnapshot` fit `useSyncExternalStore`.
 */
import { ErrorCode, SwitchboardError, isErrorCode } from '../errors';
import { SignalingState, type SignalingClient } from '../signaling/SignalingClient';
import type { ServerMessage, StaffEntry, TopicMessage } from '../types';
import { TypedEmitter } from '../util/emitter';
import { getLogger } from '../util/logger';
import { realClock, type Clock } from '../util/time';
import { entriesFromSnapshot, isNextSeq, mergeEntries, queueLengthOf } from './entries';

const log = getLogger('board');

/** The part of the SignalingClient the board uses. */
export type BoardTransport = Pick<SignalingClient, 'on' | 'state' | 'send' | 'sendNumbered'>;

export type BoardStatus =
  /** Not asked for, or unsubscribed. */
  | 'off'
  /** Asked for: waiting for the connection or the `board` snapshot. Entries shown are older. */
  | 'subscribing'
  /** Snapshot taken; updates flow. */
  | 'live'
  /** The server refused the subscription (`forbidden` for a client): see `error`. */
  | 'refused';

export interface BoardSnapshot {
  status: BoardStatus;
  /** The org's staff, in the order first seen; null until the first `board` snapshot. */
  staff: StaffEntry[] | null;
  /** Calls waiting in the org's queue; null until the first `board` snapshot. */
  queueLength: number | null;
  /**
   * How many board messages this subscription has taken (the snapshot and each `board.updated`).
   * The server sends one when a staff entry changed or a call joined or left the org's queue,
   * so whatever is read besides the board (the queue's calls) is read again when this grows.
   */
  revision: number;
  /** Why the server refused the last subscribe (or why it is being retried). */
  error: SwitchboardError | null;
}

export interface BoardSubscriptionOptions {
  clock?: Clock;
  /** Delay before subscribing again after a retryable refusal (rate limited, unavailable). */
  retryMs?: number;
}

export type BoardEventCallbacks = { change: (s: BoardSnapshot) => void };

const RETRYABLE = new Set<string>([ErrorCode.RateLimited, ErrorCode.Unavailable]);

const SUBSCRIBE: TopicMessage = { type: 'subscribe', topic: 'board' };
const UNSUBSCRIBE: TopicMessage = { type: 'unsubscribe', topic: 'board' };

export class BoardSubscription extends TypedEmitter<BoardEventCallbacks> {
  private readonly clock: Clock;
  private readonly retryMs: number;
  private wanted = false;
  /** null until a snapshot arrived (and again after unsubscribe). */
  private entries: Map<string, StaffEntry> | null = null;
  private queueLength: number | null = null;
  private revision = 0;
  /** The seq of the last board message applied on this connection. */
  private lastSeq = 0;
  /** The seq of each subscribe sent on this connection: an `error` naming one answers it. */
  private readonly subscribeRefs = new Set<number>();
  private retryTimer: unknown = null;
  private snap: BoardSnapshot = {
    status: 'off',
    staff: null,
    queueLength: null,
    revision: 0,
    error: null,
  };
  private readonly offs: (() => void)[];

  constructor(
    private readonly signaling: BoardTransport,
    options: BoardSubscriptionOptions = {},
  ) {
    super();
    this.clock = options.clock ?? realClock;
    this.retryMs = options.retryMs ?? 2000;
    this.offs = [
      signaling.on('welcome', () => this.onWelcome()),
      signaling.on('state', (s) => this.onSignalingState(s)),
      signaling.on('message', (m) => this.onMessage(m)),
    ];
  }

  getSnapshot = (): BoardSnapshot => this.snap;

  listen = (fn: () => void): (() => void) => this.on('change', () => fn());

  /** Starts following the board: now when connected, else as soon as the connection opens. */
  subscribe(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.sendSubscribe();
  }

  /** Stops the updates and forgets the entries. */
  unsubscribe(): void {
    if (!this.wanted) return;
    this.wanted = false;
    this.clock.clearTimeout(this.retryTimer);
    if (this.signaling.state === SignalingState.Open) this.signaling.send({ ...UNSUBSCRIBE });
    this.entries = null;
    this.queueLength = null;
    this.lastSeq = 0;
    this.publish({ status: 'off', error: null });
  }

  /** Unsubscribes and lets go of the signaling client's events. */
  dispose(): void {
    this.unsubscribe();
    for (const off of this.offs.splice(0)) off();
    this.removeAllListeners();
  }

  private sendSubscribe(): void {
    this.clock.clearTimeout(this.retryTimer);
    if (this.signaling.state === SignalingState.Open) {
      const ref = this.signaling.sendNumbered({ ...SUBSCRIBE });
      if (ref !== null) this.subscribeRefs.add(ref);
    }
    this.publish({ status: 'subscribing' });
  }

  /** After a gap: stop the broken stream and start a fresh one (a new snapshot at seq 1). */
  private resubscribe(): void {
    this.signaling.send({ ...UNSUBSCRIBE });
    this.sendSubscribe();
  }

  /** A new connection has no subscription yet. */
  private onWelcome(): void {
    this.subscribeRefs.clear();
    this.lastSeq = 0;
    if (this.wanted) this.sendSubscribe();
  }

  private onSignalingState(state: SignalingState): void {
    if (state === SignalingState.Open) return; // `welcome` subscribes.
    this.clock.clearTimeout(this.retryTimer);
    this.subscribeRefs.clear();
    if (this.wanted && this.snap.status === 'live') this.publish({ status: 'subscribing' });
  }

  private onMessage(m: ServerMessage): void {
    if (!this.wanted) return;
    switch (m.type) {
      case 'board':
        this.entries = entriesFromSnapshot(m.staff);
        this.queueLength = queueLengthOf(m.queue);
        this.lastSeq = typeof m.seq === 'number' ? m.seq : 1;
        this.revision += 1;
        log.info(`board snapshot: ${this.entries.size} staff, queue ${String(this.queueLength)}`);
        this.publish({ status: 'live', error: null });
        break;
      case 'board.updated':
        // Before this subscription's snapshot (a resubscribe or reconnect under way): the
        // snapshot to come is newer.
        if (this.snap.status !== 'live' || !this.entries) return;
        if (!isNextSeq(this.lastSeq, m.seq)) {
          log.warn(`board seq ${String(m.seq)} after ${this.lastSeq}: resubscribing`);
          this.resubscribe();
          return;
        }
        this.lastSeq = m.seq;
        mergeEntries(this.entries, m.staff);
        this.queueLength = queueLengthOf(m.queue) ?? this.queueLength;
        this.revision += 1;
        this.publish({});
        break;
      case 'availability.updated':
        // Our own entry, at once; before the first snapshot it waits for that snapshot.
        if (!this.entries) return;
        mergeEntries(this.entries, [m.staff]);
        this.publish({});
        break;
      case 'error':
        this.onError(m.code, m.message, m.ref);
        break;
      default:
        break;
    }
  }

  private onError(code: string, message: string, ref: number | null | undefined): void {
    // The server names our subscribe in `ref`; one that does not echo seq is matched by the
    // `forbidden` it answers a client with, while a subscribe is outstanding.
    const answersSubscribe =
      typeof ref === 'number'
        ? this.subscribeRefs.has(ref)
        : code === (ErrorCode.Forbidden as string) &&
          this.snap.status === 'subscribing' &&
          this.subscribeRefs.size > 0;
    if (!answersSubscribe) return;
    const retryable = RETRYABLE.has(code);
    const error = new SwitchboardError({
      code: isErrorCode(code) ? code : ErrorCode.Unknown,
      serverMessage: message,
      retryable,
    });
    if (retryable) {
      log.warn(`board subscribe refused (${code}): trying again in ${this.retryMs} ms`);
      this.retryTimer = this.clock.setTimeout(() => this.sendSubscribe(), this.retryMs);
      this.publish({ status: 'subscribing', error });
      return;
    }
    log.warn(`board subscribe refused (${code}): ${message}`);
    this.publish({ status: 'refused', error });
  }

  private publish(patch: Partial<Pick<BoardSnapshot, 'status' | 'error'>>): void {
    this.snap = {
      ...this.snap,
      ...patch,
      staff: this.entries ? [...this.entries.values()] : null,
      queueLength: this.queueLength,
      revision: this.revision,
    };
    this.emit('change', this.snap);
  }
}
