import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '../errors';
import { makeCall } from '../test/fakes';
import {
  formatPercent,
  formatSeconds,
  issueText,
  parseFeedback,
  parseOpsSummary,
  reasonRows,
  reasonText,
  share,
  worstCall,
} from './summary';

// Verbatim from build/switchboard for an org with no calls (note the `0E0` numbers).
const EMPTY = JSON.parse(
  '{"window_seconds":3600,"generated_at":1795483094015,"funnel":{"created":0,"accepted":0,"connected":0,"by_state":{},"by_reason":{}},"setup_seconds":{"count":0,"p50":0E0,"p90":0E0,"p99":0E0},"connect_seconds":{"count":0,"p50":0E0,"p90":0E0,"p99":0E0},"ice":{"connected":0,"failed":0,"success_rate":0E0,"turn_share":0E0},"worst_calls":[]}',
) as unknown;

const side = (over: Record<string, unknown> = {}) => ({
  samples: 4,
  rtt_ms: { avg: 20, max: 40 },
  jitter_ms: { avg: 2, max: 5 },
  packet_loss_pct: { avg: 0.5, max: 2 },
  bitrate_kbps: { audio_in: 30, audio_out: 31, video_in: 900, video_out: 850 },
  candidate_type: 'host',
  reconnects: 0,
  ...over,
});

const BUSY = {
  window_seconds: 3600,
  generated_at: 1795483094015,
  funnel: {
    created: 6,
    accepted: 2,
    connected: 1,
    by_state: { ended: 1, missed: 2, declined: 1, cancelled: 1, failed: 1 },
    by_reason: {
      'ended/hangup': 1,
      'missed/timeout': 2,
      'declined/all_declined': 1,
      'cancelled/caller_cancelled': 1,
      'failed/ice_failed': 1,
    },
  },
  setup_seconds: { count: 2, p50: 1.5, p90: 3.25, p99: 3.25 },
  connect_seconds: { count: 1, p50: 0.8, p90: 0.8, p99: 0.8 },
  ice: { connected: 1, failed: 1, success_rate: 0.5, turn_share: 0.5 },
  worst_calls: [
    {
      ...makeCall({ id: 'bad', state: 'ended', end_reason: 'hangup' }),
      quality: {
        caller: side({ packet_loss_pct: { avg: 4, max: 12 }, candidate_type: 'relay' }),
        staff: side({ rtt_ms: { avg: 90, max: 300 }, reconnects: 2 }),
      },
    },
    {
      ...makeCall({ id: 'ok', state: 'failed', end_reason: 'ice_failed' }),
      quality: { caller: null, staff: side({ samples: 1, candidate_type: 'srflx' }) },
    },
  ],
};

describe('parseOpsSummary', () => {
  it('reads the server answer for an empty org as "no data", not zeros', () => {
    const s = parseOpsSummary(EMPTY);
    expect(s.windowSeconds).toBe(3600);
    expect(s.generatedAt).toBe(1795483094015);
    expect(s.funnel.created).toBe(0);
    expect(s.funnel.byState.missed).toBe(0);
    expect(s.funnel.byReason).toEqual([]);
    expect(s.setup).toEqual({ count: 0, p50: null, p90: null, p99: null });
    expect(s.connect.p50).toBeNull();
    expect(s.ice.successRate).toBeNull();
    expect(s.ice.turnShare).toBeNull();
    expect(s.worstCalls).toEqual([]);
  });

  it('keeps counts, percentiles and rates of a busy hour', () => {
    const s = parseOpsSummary(BUSY);
    expect(s.funnel).toMatchObject({ created: 6, accepted: 2, connected: 1 });
    expect(s.funnel.byState).toEqual({
      queued: 0,
      ringing: 0,
      accepted: 0,
      active: 0,
      ended: 1,
      missed: 2,
      declined: 1,
      cancelled: 1,
      failed: 1,
    });
    expect(s.setup).toEqual({ count: 2, p50: 1.5, p90: 3.25, p99: 3.25 });
    expect(s.connect.p99).toBe(0.8);
    expect(s.ice).toEqual({ connected: 1, failed: 1, successRate: 0.5, turnShare: 0.5 });
  });

  it('splits reasons by state and sorts the most frequent first', () => {
    expect(parseOpsSummary(BUSY).funnel.byReason).toEqual([
      { state: 'missed', reason: 'timeout', count: 2 },
      { state: 'cancelled', reason: 'caller_cancelled', count: 1 },
      { state: 'declined', reason: 'all_declined', count: 1 },
      { state: 'ended', reason: 'hangup', count: 1 },
      { state: 'failed', reason: 'ice_failed', count: 1 },
    ]);
    expect(reasonRows({ ended: 3, 'x/': 0, 'a/b/c': 1 })).toEqual([
      { state: 'ended', reason: '', count: 3 },
      { state: 'a', reason: 'b/c', count: 1 },
    ]);
  });

  it('ranks worst calls as the server did and takes the worse side of each metric', () => {
    const [bad, ok] = parseOpsSummary(BUSY).worstCalls;
    expect(bad.call.id).toBe('bad');
    expect(bad.lossPct).toEqual({ avg: 4, max: 12 });
    expect(bad.rttMs).toEqual({ avg: 90, max: 300 });
    expect(bad.jitterMs).toEqual({ avg: 2, max: 5 });
    expect(bad.candidateType).toBe('relay');
    expect(bad.reconnects).toBe(2);
    expect(bad.samples).toBe(8);
    expect(ok.call.id).toBe('ok');
    expect(ok.caller).toBeNull();
    expect(ok.samples).toBe(1);
    expect(ok.candidateType).toBe('srflx');
  });

  it('leaves unknown quality values null instead of making them up', () => {
    const w = worstCall({
      ...makeCall(),
      quality: {
        caller: { samples: 2, rtt_ms: { avg: null, max: null }, candidate_type: 'bogus' },
        staff: null,
      },
    });
    expect(w?.rttMs).toEqual({ avg: null, max: null });
    expect(w?.lossPct).toEqual({ avg: null, max: null });
    expect(w?.candidateType).toBeNull();
    expect(w?.reconnects).toBeNull();
    expect(w?.caller?.bitrate_kbps.video_in).toBeNull();
    expect(worstCall({ nope: true })).toBeNull();
  });

  it('has no TURN share when no call reported its route', () => {
    const s = parseOpsSummary({
      ...BUSY,
      worst_calls: [{ ...makeCall(), quality: { caller: side({ candidate_type: null }) } }],
    });
    expect(s.ice.turnShare).toBeNull();
    expect(s.ice.successRate).toBe(0.5);
  });

  it('reads the ICE profiles side by side, and none from older servers', () => {
    expect(parseOpsSummary(BUSY).iceProfiles).toEqual([]);
    const s = parseOpsSummary({
      ...BUSY,
      ice_profiles: [
        {
          profile: 'tls443',
          accepted: 2,
          connected: 2,
          failed: 0,
          success_rate: 1,
          connect_seconds: { count: 2, p50: 1.2, p90: 2, p99: 2 },
          turn_share: 1,
        },
        {
          profile: 'udp',
          accepted: 1,
          connected: 0,
          failed: 1,
          success_rate: 0,
          connect_seconds: { count: 0, p50: 0, p90: 0, p99: 0 },
          turn_share: null,
        },
        { accepted: 3 },
      ],
    });
    expect(s.iceProfiles).toEqual([
      {
        profile: 'tls443',
        accepted: 2,
        connected: 2,
        failed: 0,
        successRate: 1,
        connect: { count: 2, p50: 1.2, p90: 2, p99: 2 },
        turnShare: 1,
      },
      {
        profile: 'udp',
        accepted: 1,
        connected: 0,
        failed: 1,
        successRate: 0,
        connect: { count: 0, p50: null, p90: null, p99: null },
        turnShare: null,
      },
    ]);
  });

  it('refuses an answer that is not a summary', () => {
    expect(() => parseOpsSummary(null)).toThrow(SwitchboardError);
    expect(() => parseOpsSummary({ calls: [] })).toThrow(SwitchboardError);
    expect(() => parseOpsSummary('{}')).toThrow(SwitchboardError);
  });

  it('treats garbage counts as zero', () => {
    const s = parseOpsSummary({
      funnel: { created: -3, accepted: 'x', connected: 2.7, by_state: { missed: null } },
    });
    expect(s.funnel).toMatchObject({ created: 0, accepted: 0, connected: 2 });
    expect(s.funnel.byState.missed).toBe(0);
    expect(s.windowSeconds).toBe(3600);
  });
});

describe('feedback (post-call ratings)', () => {
  const FEEDBACK = {
    count: 3,
    average_score: 3.6666666666666665,
    by_score: { '1': 0, '2': 1, '3': 0, '4': 1, '5': 1 },
    issues: { audio: 1, connection: 2, video: 1 },
    low_scores: [
      {
        call_id: 'call_b',
        from: 'caller',
        score: 2,
        issues: ['connection'],
        comment: 'Froze twice.',
      },
      { call_id: 'call_a', from: 'staff', score: 1, issues: [], comment: '' },
    ],
  };

  it('reads a full section: count, average, spread, issues and the low ratings in order', () => {
    const f = parseOpsSummary({ ...BUSY, feedback: FEEDBACK }).feedback;
    expect(f).toEqual({
      count: 3,
      average: 3.6666666666666665,
      byScore: { 1: 0, 2: 1, 3: 0, 4: 1, 5: 1 },
      issues: [
        { issue: 'connection', count: 2 },
        { issue: 'audio', count: 1 },
        { issue: 'video', count: 1 },
      ],
      lowScores: [
        {
          callId: 'call_b',
          from: 'caller',
          score: 2,
          issues: ['connection'],
          comment: 'Froze twice.',
        },
        { callId: 'call_a', from: 'staff', score: 1, issues: [], comment: null },
      ],
    });
  });

  it('reads an empty section (count 0, average null) as no ratings', () => {
    const f = parseOpsSummary({
      ...(EMPTY as Record<string, unknown>),
      feedback: {
        count: 0,
        average_score: null,
        by_score: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
        issues: {},
        low_scores: [],
      },
    }).feedback;
    expect(f).toEqual({
      count: 0,
      average: null,
      byScore: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 },
      issues: [],
      lowScores: [],
    });
  });

  it('gives null feedback, not a crash, when an older server leaves the section out', () => {
    const s = parseOpsSummary(EMPTY);
    expect(s.feedback).toBeNull();
    expect(parseOpsSummary(BUSY).feedback).toBeNull();
    expect(parseFeedback('nope')).toBeNull();
  });

  it('drops malformed entries and never invents an average', () => {
    const f = parseFeedback({
      count: 0,
      average_score: 0,
      by_score: { '3': 'x', '6': 4 },
      issues: { audio: -1, '': 2, echo_heard: 1 },
      low_scores: [
        { call_id: 'call_c', from: 'admin', score: 2, issues: ['audio', 7], comment: '  ' },
        { call_id: 'call_d', score: 9 },
        { score: 1 },
        null,
      ],
    });
    expect(f?.average).toBeNull();
    expect(f?.byScore).toEqual({ 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 });
    expect(f?.issues).toEqual([{ issue: 'echo_heard', count: 1 }]);
    expect(f?.lowScores).toEqual([
      { callId: 'call_c', from: null, score: 2, issues: ['audio'], comment: null },
    ]);
  });

  it('names issues in plain words', () => {
    expect(issueText('connection')).toBe('Connection');
    expect(issueText('echo_heard')).toBe('echo heard');
  });
});

describe('wording', () => {
  it('formats seconds for people', () => {
    expect(formatSeconds(null)).toBe('–');
    expect(formatSeconds(0.423)).toBe('0.42 s');
    expect(formatSeconds(3.14)).toBe('3.1 s');
    expect(formatSeconds(42.4)).toBe('42 s');
    expect(formatSeconds(59.6)).toBe('1 min 00 s');
    expect(formatSeconds(125)).toBe('2 min 05 s');
  });

  it('formats shares', () => {
    expect(formatPercent(null)).toBe('–');
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(1)).toBe('100 %');
    expect(formatPercent(0.5)).toBe('50 %');
    expect(formatPercent(0.0512)).toBe('5.1 %');
    expect(share(1, 0)).toBeNull();
    expect(share(1, 4)).toBe(0.25);
  });

  it('says end reasons in plain words and shows unknown ones as sent', () => {
    expect(reasonText('timeout')).toBe('Nobody answered in time');
    expect(reasonText('all_declined')).toBe('Every staff member declined');
    expect(reasonText('some_new_reason')).toBe('some new reason');
    expect(reasonText('')).toBe('No reason given');
  });
});
