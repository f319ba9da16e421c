/**
 * The ops dashboard's data, for an admin: the last hour's summary (`GET /v1/ops/summary`), the
 * live calls (`GET /v1/calls?state=ringing|accepted|active`: admins see the org's calls) and the
 * staff board (the `board` topic of the WebSocket, docs/asyncapi.yaml).
 *
 * The board is live from its subscription: its snapshot replaces the list, its updates merge.
 * `GET /v1/staff/availability` is only the fallback for while the board is not live (before the
 * first snapshot, while reconnecting, or if the server refused the subscription); an answer that
 * comes back once the board is live is older than it and dropped.
 *
 * Admins get `call.updated` only for calls they are rung for, so the summary and the live calls
 * are polled every `pollMs`, and refreshed soon after any call event or board update (a staff
 * member's state changes with the calls). Refreshes never overlap: one asked for while another
 * runs is done once, right after it.
 * No React in here; `subscribe`/`getSnapshot` fit `useSyncExternalStore`.
 */
import { ErrorCode, SwitchboardError } from '../errors';
import { RestClient } from '../rest/RestClient';
import { SignalingClient, SignalingState } from '../signaling/SignalingClient';
import { BoardSubscription, type BoardSnapshot } from '../board/BoardSubscription';
import type { Call, ServerMessage, StaffEntry, User } from '../types';
import { TypedEmitter } from '../util/emitter';
import { getLogger } from '../util/logger';
import { realClock, type Clock } from '../util/time';
import { LIVE_STATES, applyCallUpdate, mergeLiveCalls, sortStaff } from './board';
import { parseOpsSummary, type OpsSummary } from './summary';

const log = getLogger('ops');

/** Live calls fetched per state (the server's page limit). */
const LIVE_LIMIT = 100;

export interface OpsSnapshot {
  /** `forbidden` once the server refused the summary (not an admin): polling stops. */
  access: 'checking' | 'allowed' | 'forbidden';
  summary: OpsSummary | null;
  /** null until the first answer. */
  liveCalls: Call[] | null;
  /** More live calls than one page of a state: the list shows the first `LIVE_LIMIT` of it. */
  liveTruncated: boolean;
  /** Sorted for the board; null until the first answer. */
  staff: StaffEntry[] | null;
  /** Calls waiting in the org's queue, from the board; null until its first snapshot. */
  queueLength: number | null;
  signaling: SignalingState;
  me: User | null;
  /** Local time (ms) of the last refresh that fully succeeded. */
  refreshedAt: number | null;
  /** Why the last refresh failed; the data shown is then the previous one. Cleared on success. */
  error: SwitchboardError | null;
  refreshing: boolean;
  /** Server clock minus local clock (ms), for durations from server timestamps. */
  clockOffsetMs: number;
}

export interface OpsMonitorOptions {
  getToken: () => string | null;
  baseUrl?: string;
  wsUrl?: string;
  rest?: RestClient;
  signaling?: SignalingClient;
  clock?: Clock;
  /** Poll period. */
  pollMs?: number;
  /** Delay between an event and the refresh it causes (events come in bursts). */
  eventRefreshMs?: number;
}

export type OpsEventCallbacks = { change: (s: OpsSnapshot) => void };

export class OpsMonitor extends TypedEmitter<OpsEventCallbacks> {
  readonly rest: RestClient;
  readonly signaling: SignalingClient;
  readonly board: BoardSubscription;
  private readonly clock: Clock;
  private readonly pollMs: number;
  private readonly eventRefreshMs: number;
  private snap: OpsSnapshot;
  private started = false;
  private stopped = false;
  private pollTimer: unknown = null;
  private eventTimer: unknown = null;
  private inFlight: Promise<void> | null = null;
  private again = false;
  /** While a fetch runs: the `call.updated` snapshots that came meanwhile. */
  private callsSinceFetch: Map<string, Call> | null = null;
  private readonly offs: (() => void)[] = [];

  constructor(opts: OpsMonitorOptions) {
    super();
    this.rest = opts.rest ?? new RestClient({ baseUrl: opts.baseUrl, getToken: opts.getToken });
    this.signaling =
      opts.signaling ?? new SignalingClient({ url: opts.wsUrl, getToken: opts.getToken });
    this.board = new BoardSubscription(this.signaling, { clock: opts.clock });
    this.clock = opts.clock ?? realClock;
    this.pollMs = opts.pollMs ?? 5000;
    this.eventRefreshMs = opts.eventRefreshMs ?? 400;
    this.snap = {
      access: 'checking',
      summary: null,
      liveCalls: null,
      liveTruncated: false,
      staff: null,
      queueLength: null,
      signaling: this.signaling.state,
      me: null,
      refreshedAt: null,
      error: null,
      refreshing: false,
      clockOffsetMs: 0,
    };
  }

  getSnapshot = (): OpsSnapshot => this.snap;

  subscribe = (fn: () => void): (() => void) => this.on('change', () => fn());

  /** Connects the WebSocket, loads everything and starts polling. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.offs.push(
      this.signaling.on('state', (s) => this.update({ signaling: s })),
      this.signaling.on('welcome', (w) => {
        this.update({ me: w.user });
        // After a reconnect, events may have been missed: catch up at once.
        void this.refresh();
      }),
      this.signaling.on('message', (m) => this.onMessage(m)),
      this.signaling.on('authFailed', () =>
        this.update({ error: new SwitchboardError({ code: ErrorCode.Unauthenticated }) }),
      ),
      this.board.on('change', (b) => this.onBoard(b)),
    );
    this.board.subscribe();
    this.signaling.connect();
    this.pollTimer = this.clock.setInterval(() => void this.refresh(), this.pollMs);
    void this.refresh();
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearInterval(this.pollTimer);
    this.clock.clearTimeout(this.eventTimer);
    for (const off of this.offs.splice(0)) off();
    this.board.dispose();
    this.signaling.close();
    this.removeAllListeners();
  }

  /** Loads the summary, the live calls and the staff board; resolves when that is done. */
  refresh(): Promise<void> {
    if (this.stopped || this.snap.access === 'forbidden') return Promise.resolve();
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.load().finally(() => {
      this.inFlight = null;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.inFlight;
  }

  private get boardLive(): boolean {
    return this.board.getSnapshot().status === 'live';
  }

  private async load(): Promise<void> {
    this.callsSinceFetch = new Map();
    this.update({ refreshing: true });
    const [summary, staff, ...live] = await Promise.allSettled([
      this.rest.opsSummary(),
      // The REST fallback, only while the board is not live.
      this.boardLive ? Promise.resolve(null) : this.rest.staffAvailability(),
      ...LIVE_STATES.map((state) => this.rest.listCalls({ state, limit: LIVE_LIMIT })),
    ]);
    const callsSince = this.callsSinceFetch;
    this.callsSinceFetch = null;
    if (this.stopped) return;

    const failures: SwitchboardError[] = [];
    const fail = (r: PromiseRejectedResult, what: string): void => {
      const err =
        r.reason instanceof SwitchboardError ? r.reason : SwitchboardError.network(r.reason);
      log.warn(`${what} failed: ${err.code}`);
      failures.push(err);
    };
    const next: Partial<OpsSnapshot> = { refreshing: false };

    if (summary.status === 'rejected') {
      const err = summary.reason as unknown;
      if (err instanceof SwitchboardError && err.code === ErrorCode.Forbidden) {
        log.info('the ops summary is for admins only: not polling');
        this.clock.clearInterval(this.pollTimer);
        // An open socket would count this person as connected (rung if available): let it go.
        this.signaling.close();
        this.update({ access: 'forbidden', refreshing: false, error: null });
        return;
      }
      fail(summary, 'ops summary');
    } else {
      try {
        next.summary = parseOpsSummary(summary.value);
        next.access = 'allowed';
      } catch (e) {
        failures.push(e as SwitchboardError);
      }
    }

    // Once the board is live, its entries are newer than any answer (one that was out when the
    // board went live included): the answer is dropped.
    if (!this.boardLive) {
      if (staff.status === 'rejected') fail(staff, 'staff availability');
      else if (staff.value)
        next.staff = sortStaff(Array.isArray(staff.value.staff) ? staff.value.staff : []);
    }

    const lists: Call[][] = [];
    let truncated = false;
    for (const r of live) {
      if (r.status === 'rejected') fail(r, 'live calls');
      else {
        lists.push(Array.isArray(r.value?.calls) ? r.value.calls : []);
        truncated ||= typeof r.value?.next === 'string';
      }
    }
    if (lists.length === live.length) {
      next.liveCalls = mergeLiveCalls([...lists, [...(callsSince?.values() ?? [])]]);
      next.liveTruncated = truncated;
    }

    next.error = failures[0] ?? null;
    if (!failures.length) next.refreshedAt = this.clock.now();
    next.clockOffsetMs = this.rest.clockOffsetMs;
    this.update(next);
  }

  /** The live board replaces whatever the list was; while it is not live, the list stays. */
  private onBoard(b: BoardSnapshot): void {
    if (b.status !== 'live' || !b.staff) return;
    this.update({ staff: sortStaff(b.staff), queueLength: b.queueLength });
  }

  private onMessage(m: ServerMessage): void {
    if (m.type === 'board.updated') {
      this.refreshSoon();
    } else if (m.type === 'call.updated' || m.type === 'call.incoming') {
      const seen = this.callsSinceFetch?.get(m.call.id);
      if (this.callsSinceFetch && (!seen || seen.version < m.call.version))
        this.callsSinceFetch.set(m.call.id, m.call);
      if (this.snap.liveCalls)
        this.update({ liveCalls: applyCallUpdate(this.snap.liveCalls, m.call) });
      this.refreshSoon();
    }
  }

  private refreshSoon(): void {
    if (this.eventTimer !== null) return;
    this.eventTimer = this.clock.setTimeout(() => {
      this.eventTimer = null;
      void this.refresh();
    }, this.eventRefreshMs);
  }

  private update(patch: Partial<OpsSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    this.emit('change', this.snap);
  }
}
