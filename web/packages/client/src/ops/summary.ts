/**
 * `GET /v1/ops/summary` (admins only): the org's last hour. The wire shape is parsed into plain
 * typed values here, with the derivations the dashboard shows (rates, reasons, worst calls), so
 * the React side only formats. Nothing is invented: a value the server did not give, or that
 * has no data behind it (a percentile of zero calls), is `null`, and the UI says so.
 */
import { ErrorCode, SwitchboardError } from '../errors';
import type { Call, CandidateType, QualitySummary, ServerCallState } from '../types';

/** The wire JSON, as the server sends it. */
export interface OpsSummaryWire {
  window_seconds: number;
  generated_at: number;
  funnel: {
    created: number;
    /** v1.1: calls that waited in the queue, and those that waited until its deadline. */
    queued?: number;
    queue_timeouts?: number;
    accepted: number;
    connected: number;
    by_state: Record<string, number>;
    by_reason: Record<string, number>;
  };
  setup_seconds: { count: number; p50: number; p90: number; p99: number };
  connect_seconds: { count: number; p50: number; p90: number; p99: number };
  ice: { connected: number; failed: number; success_rate: number; turn_share: number };
  worst_calls: (Call & {
    quality?: { caller: QualitySummary | null; staff: QualitySummary | null } | null;
  })[];
  /** Per ICE server profile drawn in the window (docs/config.md#ice-server-profiles); absent from older servers. */
  ice_profiles?: {
    profile: string;
    accepted: number;
    connected: number;
    failed: number;
    /** null with no attempts. */
    success_rate: number | null;
    connect_seconds: { count: number; p50: number; p90: number; p99: number };
    /** null when none of its calls reported a route. */
    turn_share: number | null;
  }[];
  /** v1.1 (docs/queue.md); absent from servers older than the queue figures. */
  queue?: {
    length: number;
    queued: number;
    wait_seconds: { count: number; p50: number; p90: number; p99: number };
    timeouts: number;
    abandoned: number;
  };
  /** Absent from servers older than the post-call ratings summary. */
  feedback?: {
    count: number;
    /** null when count is 0. */
    average_score: number | null;
    by_score: Record<'1' | '2' | '3' | '4' | '5', number>;
    issues: Record<string, number>;
    /** Ratings of 1 or 2, newest first, at most 10. */
    low_scores: {
      call_id: string;
      from: 'caller' | 'staff';
      score: number;
      issues: string[];
      comment: string;
    }[];
  };
}

/** Percentiles in seconds; all `null` when `count` is 0 (the server then sends zeros). */
export interface Percentiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/** One outcome of the funnel, e.g. `missed` with reason `timeout`. */
export interface ReasonCount {
  state: string;
  reason: string;
  count: number;
}

export interface AvgMax {
  avg: number | null;
  max: number | null;
}

export interface WorstCall {
  call: Call;
  /** Samples posted by both sides together. */
  samples: number;
  /** Each metric is the worse of the two sides. */
  lossPct: AvgMax;
  rttMs: AvgMax;
  jitterMs: AvgMax;
  /** `relay` when either side went through TURN, else the first side's type. */
  candidateType: CandidateType | null;
  /** ICE restarts reported by both sides together (null when the server does not say). */
  reconnects: number | null;
  caller: QualitySummary | null;
  staff: QualitySummary | null;
}

export type RatingScore = 1 | 2 | 3 | 4 | 5;

export const RATING_SCORES: readonly RatingScore[] = [1, 2, 3, 4, 5];

/** One issue named in ratings, e.g. `connection` ticked twice. */
export interface IssueCount {
  issue: string;
  count: number;
}

/** A rating of 1 or 2, as the server lists them (newest first). */
export interface LowRating {
  callId: string;
  /** Who rated; null when the server names someone else. */
  from: 'caller' | 'staff' | null;
  score: RatingScore;
  issues: string[];
  /** null when the person wrote nothing. */
  comment: string | null;
}

/** One ICE server profile's calls of the window (docs/config.md#ice-server-profiles: A/B of TURN configurations). */
export interface IceProfileFigures {
  profile: string;
  accepted: number;
  connected: number;
  failed: number;
  /** connected / (connected + failed); null with no attempts. */
  successRate: number | null;
  connect: Percentiles;
  /** Share of its calls with a known route that went through TURN; null when none is known. */
  turnShare: number | null;
}

/** The last hour's post-call ratings of the org. */
export interface FeedbackSummary {
  count: number;
  /** Mean score, 1..5; null with no ratings. */
  average: number | null;
  /** Every score 1..5, 0 when absent. */
  byScore: Record<RatingScore, number>;
  /** Most frequent first, then by name; issues never named are left out. */
  issues: IssueCount[];
  lowScores: LowRating[];
}

/** The org's queue (docs/queue.md): now, and over the window. */
export interface QueueSummary {
  /** Calls waiting now. */
  length: number;
  /** Calls of the window that waited in the queue. */
  queued: number;
  /** How long they waited: queued until they rang, or until they ended (or now) if they never did. */
  wait: Percentiles;
  /** Ended `missed` with `queue_timeout`. */
  timeouts: number;
  /** Callers who left the queue before it rang. */
  abandoned: number;
}

export interface OpsSummary {
  windowSeconds: number;
  /** Server time of the summary (ms since the epoch). */
  generatedAt: number;
  funnel: {
    created: number;
    /** Calls that waited in the queue (v1.1; 0 from older servers). */
    queued: number;
    /** Calls ended `missed` with `queue_timeout` (v1.1; 0 from older servers). */
    queueTimeouts: number;
    accepted: number;
    connected: number;
    /** Every server state, 0 when absent. */
    byState: Record<ServerCallState, number>;
    /** Most frequent first, then by state and reason. */
    byReason: ReasonCount[];
  };
  setup: Percentiles;
  connect: Percentiles;
  ice: {
    connected: number;
    failed: number;
    /** connected / (connected + failed); null with no attempts. */
    successRate: number | null;
    /** Share of calls that went through TURN, among calls with a known route; null when none is known. */
    turnShare: number | null;
  };
  worstCalls: WorstCall[];
  /** By profile name; empty from servers without ICE profiles. */
  iceProfiles: IceProfileFigures[];
  /** The org's queue; null when the server does not report it (older servers). */
  queue: QueueSummary | null;
  /** null when the server does not report ratings (older servers). */
  feedback: FeedbackSummary | null;
}

const STATES: readonly ServerCallState[] = [
  'queued',
  'ringing',
  'accepted',
  'active',
  'ended',
  'missed',
  'declined',
  'cancelled',
  'failed',
];

type Json = Record<string, unknown>;

function obj(v: unknown): Json | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
}

/** A finite number, or null. */
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A count: a finite non-negative integer, else 0. */
function count(v: unknown): number {
  const n = num(v);
  return n !== null && n >= 0 ? Math.floor(n) : 0;
}

function percentiles(v: unknown): Percentiles {
  const o = obj(v) ?? {};
  const n = count(o.count);
  if (n === 0) return { count: 0, p50: null, p90: null, p99: null };
  return { count: n, p50: num(o.p50), p90: num(o.p90), p99: num(o.p99) };
}

function avgMax(v: unknown): AvgMax {
  const o = obj(v) ?? {};
  return { avg: num(o.avg), max: num(o.max) };
}

function worse(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

function worseOf(sides: (QualitySummary | null)[], pick: (s: QualitySummary) => AvgMax): AvgMax {
  let out: AvgMax = { avg: null, max: null };
  for (const s of sides) {
    if (!s) continue;
    const m = pick(s);
    out = { avg: worse(out.avg, m.avg), max: worse(out.max, m.max) };
  }
  return out;
}

const CANDIDATES: readonly string[] = ['host', 'srflx', 'prflx', 'relay'];

function qualitySide(v: unknown): QualitySummary | null {
  const o = obj(v);
  if (!o) return null;
  const b = obj(o.bitrate_kbps) ?? {};
  const ct = typeof o.candidate_type === 'string' ? o.candidate_type : null;
  return {
    samples: count(o.samples),
    rtt_ms: avgMax(o.rtt_ms),
    jitter_ms: avgMax(o.jitter_ms),
    packet_loss_pct: avgMax(o.packet_loss_pct),
    bitrate_kbps: {
      audio_in: num(b.audio_in),
      audio_out: num(b.audio_out),
      video_in: num(b.video_in),
      video_out: num(b.video_out),
    },
    candidate_type: ct && CANDIDATES.includes(ct) ? (ct as CandidateType) : null,
    reconnects: num(o.reconnects) === null ? undefined : count(o.reconnects),
  };
}

/** Derives one row of "worst calls" from a call with its `quality`. */
export function worstCall(raw: unknown): WorstCall | null {
  const c = obj(raw);
  if (!c || typeof c.id !== 'string') return null;
  const q = obj(c.quality) ?? {};
  const caller = qualitySide(q.caller);
  const staff = qualitySide(q.staff);
  const sides = [caller, staff];
  let candidateType: CandidateType | null = null;
  for (const s of sides) {
    if (s?.candidate_type && !candidateType) candidateType = s.candidate_type;
    if (s?.candidate_type === 'relay') candidateType = 'relay';
  }
  const known = sides.filter((s): s is QualitySummary => !!s && s.reconnects !== undefined);
  return {
    call: c as unknown as Call,
    samples: (caller?.samples ?? 0) + (staff?.samples ?? 0),
    lossPct: worseOf(sides, (s) => s.packet_loss_pct),
    rttMs: worseOf(sides, (s) => s.rtt_ms),
    jitterMs: worseOf(sides, (s) => s.jitter_ms),
    candidateType,
    reconnects: known.length ? known.reduce((n, s) => n + (s.reconnects ?? 0), 0) : null,
    caller,
    staff,
  };
}

/** `"missed/timeout"` → `{state: "missed", reason: "timeout"}`. */
export function reasonRows(byReason: unknown): ReasonCount[] {
  const o = obj(byReason) ?? {};
  const rows: ReasonCount[] = [];
  for (const [key, value] of Object.entries(o)) {
    const n = count(value);
    if (n === 0) continue;
    const slash = key.indexOf('/');
    const state = slash < 0 ? key : key.slice(0, slash);
    const reason = slash < 0 ? '' : key.slice(slash + 1);
    rows.push({ state, reason, count: n });
  }
  return rows.sort(
    (a, b) =>
      b.count - a.count || a.state.localeCompare(b.state) || a.reason.localeCompare(b.reason),
  );
}

function ratingScore(v: unknown): RatingScore | null {
  const n = num(v);
  return n !== null && Number.isInteger(n) && n >= 1 && n <= 5 ? (n as RatingScore) : null;
}

function lowRating(raw: unknown): LowRating | null {
  const o = obj(raw);
  const score = ratingScore(o?.score);
  if (!o || typeof o.call_id !== 'string' || !o.call_id || score === null) return null;
  const comment = typeof o.comment === 'string' ? o.comment.trim() : '';
  return {
    callId: o.call_id,
    from: o.from === 'caller' || o.from === 'staff' ? o.from : null,
    score,
    issues: (Array.isArray(o.issues) ? o.issues : []).filter(
      (i): i is string => typeof i === 'string' && i !== '',
    ),
    comment: comment || null,
  };
}

/** The `feedback` section; null when the server did not send one. */
export function parseFeedback(raw: unknown): FeedbackSummary | null {
  const o = obj(raw);
  if (!o) return null;
  const byScoreRaw = obj(o.by_score) ?? {};
  const byScore = Object.fromEntries(
    RATING_SCORES.map((s) => [s, count(byScoreRaw[String(s)])]),
  ) as Record<RatingScore, number>;
  const n = count(o.count);
  const avg = num(o.average_score);
  const issues = Object.entries(obj(o.issues) ?? {})
    .map(([issue, value]) => ({ issue, count: count(value) }))
    .filter((i) => i.issue !== '' && i.count > 0)
    .sort((a, b) => b.count - a.count || a.issue.localeCompare(b.issue));
  return {
    count: n,
    average: n > 0 && avg !== null && avg >= 1 && avg <= 5 ? avg : null,
    byScore,
    issues,
    lowScores: (Array.isArray(o.low_scores) ? o.low_scores : [])
      .map(lowRating)
      .filter((r): r is LowRating => r !== null),
  };
}

function iceProfile(raw: unknown): IceProfileFigures | null {
  const o = obj(raw);
  if (!o || typeof o.profile !== 'string' || o.profile === '') return null;
  const connected = count(o.connected);
  const failed = count(o.failed);
  return {
    profile: o.profile,
    accepted: count(o.accepted),
    connected,
    failed,
    successRate: connected + failed > 0 ? num(o.success_rate) : null,
    connect: percentiles(o.connect_seconds),
    turnShare: num(o.turn_share),
  };
}

/** Parses the wire JSON; throws a `SwitchboardError` when it is not a summary at all. */
export function parseOpsSummary(raw: unknown): OpsSummary {
  const o = obj(raw);
  const f = obj(o?.funnel);
  if (!o || !f) {
    throw new SwitchboardError({
      code: ErrorCode.Unknown,
      serverMessage: 'The ops summary answer is not in the expected shape.',
    });
  }
  const byStateRaw = obj(f.by_state) ?? {};
  const byState = Object.fromEntries(STATES.map((s) => [s, count(byStateRaw[s])])) as Record<
    ServerCallState,
    number
  >;
  const ice = obj(o.ice) ?? {};
  const connected = count(ice.connected);
  const failed = count(ice.failed);
  const worstCalls = (Array.isArray(o.worst_calls) ? o.worst_calls : [])
    .map(worstCall)
    .filter((w): w is WorstCall => w !== null);
  // The server sends 0 for the TURN share when no call has a known route: tell the two apart by
  // whether any call with a quality report (worst_calls lists them) named its route.
  const routeKnown = worstCalls.some((w) => w.candidateType !== null);
  const q = obj(o.queue);
  return {
    windowSeconds: count(o.window_seconds) || 3600,
    generatedAt: num(o.generated_at) ?? Date.now(),
    funnel: {
      created: count(f.created),
      queued: count(f.queued),
      queueTimeouts: count(f.queue_timeouts),
      accepted: count(f.accepted),
      connected: count(f.connected),
      byState,
      byReason: reasonRows(f.by_reason),
    },
    setup: percentiles(o.setup_seconds),
    connect: percentiles(o.connect_seconds),
    ice: {
      connected,
      failed,
      successRate: connected + failed > 0 ? (num(ice.success_rate) ?? null) : null,
      turnShare: routeKnown ? (num(ice.turn_share) ?? null) : null,
    },
    worstCalls,
    iceProfiles: (Array.isArray(o.ice_profiles) ? o.ice_profiles : [])
      .map(iceProfile)
      .filter((p): p is IceProfileFigures => p !== null),
    queue: q
      ? {
          length: count(q.length),
          queued: count(q.queued),
          wait: percentiles(q.wait_seconds),
          timeouts: count(q.timeouts),
          abandoned: count(q.abandoned),
        }
      : null,
    feedback: parseFeedback(o.feedback),
  };
}

// --- Wording --------------------------------------------------------------------------------

const REASON_TEXT: Record<string, string> = {
  hangup: 'Hung up',
  timeout: 'Nobody answered in time',
  caller_cancelled: 'Caller hung up before an answer',
  caller_left: 'Caller left',
  staff_left: 'Staff member left',
  all_declined: 'Every staff member declined',
  ice_failed: 'Media connection failed',
  media_failed: 'Media connection failed',
  connect_timeout: 'Media did not connect in time',
  participant_lost: 'A participant dropped',
  queue_timeout: 'Waited too long in the queue',
  transferred: 'Transferred',
};

/** Plain words for an `end_reason`; unknown reasons are shown as sent. */
export function reasonText(reason: string): string {
  return REASON_TEXT[reason] ?? (reason ? reason.replace(/_/g, ' ') : 'No reason given');
}

export const CALL_STATE_TEXT: Record<ServerCallState, string> = {
  queued: 'Queued',
  ringing: 'Ringing',
  accepted: 'Connecting',
  active: 'In progress',
  ended: 'Completed',
  missed: 'Missed',
  declined: 'Declined',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

const ISSUE_TEXT: Record<string, string> = {
  audio: 'Audio',
  video: 'Video',
  connection: 'Connection',
};

/** Plain words for an issue named in a rating; unknown ones are shown as sent. */
export function issueText(issue: string): string {
  return ISSUE_TEXT[issue] ?? issue.replace(/_/g, ' ');
}

/** `part` as a share of `whole` (0..1), or null when `whole` is 0. */
export function share(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** 0.987 → "98.7 %", 1 → "100 %", 0 → "0 %"; null → "–". */
export function formatPercent(ratio: number | null): string {
  if (ratio === null) return '–';
  const pct = ratio * 100;
  if (pct === 0 || pct === 100) return `${pct} %`;
  return `${pct < 10 ? pct.toFixed(1) : Math.round(pct)} %`;
}

/** Seconds for people: "0.42 s", "3.1 s", "42 s", "2 min 05 s"; null → "–". */
export function formatSeconds(s: number | null): string {
  if (s === null) return '–';
  if (s < 1) return `${s.toFixed(2)} s`;
  if (s < 10) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  if (whole < 60) return `${whole} s`;
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}
