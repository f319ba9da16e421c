/**
 * The arithmetic of the stats sampler, pure so it can be tested on recorded reports.
 * Inputs are two `getStats()` reports (W3C webrtc-stats shapes) taken some time apart.
 */
import type { CandidateType, QualitySample } from '../types';

/** The fields we read; everything else in a report is ignored. */
export interface StatsEntry {
  id: string;
  type: string;
  timestamp: number;
  kind?: string;
  mediaType?: string;
  bytesReceived?: number;
  bytesSent?: number;
  packetsReceived?: number;
  packetsLost?: number;
  packetsSent?: number;
  jitter?: number;
  roundTripTime?: number;
  currentRoundTripTime?: number;
  selectedCandidatePairId?: string;
  localCandidateId?: string;
  remoteCandidateId?: string;
  candidateType?: string;
  state?: string;
  nominated?: boolean;
  selected?: boolean;
}

export type StatsMap = Map<string, StatsEntry>;

/** Accepts an RTCStatsReport, a Map, or an array of entries. */
export function toStatsMap(report: RTCStatsReport | StatsMap | StatsEntry[]): StatsMap {
  if (Array.isArray(report)) return new Map(report.map((s) => [s.id, s]));
  const map: StatsMap = new Map();
  (report as Map<string, StatsEntry>).forEach((value, key) => map.set(key, value));
  return map;
}

function kindOf(s: StatsEntry): 'audio' | 'video' | null {
  const k = s.kind ?? s.mediaType;
  return k === 'audio' || k === 'video' ? k : null;
}

/** Totals per direction and kind in one report. */
function totals(map: StatsMap): {
  bytes: Record<'audio_in' | 'audio_out' | 'video_in' | 'video_out', number>;
  packetsReceived: number;
  packetsLost: number;
  packetsSent: number;
  remotePacketsLost: number;
  timestamp: number;
} {
  const bytes = { audio_in: 0, audio_out: 0, video_in: 0, video_out: 0 };
  let packetsReceived = 0;
  let packetsLost = 0;
  let packetsSent = 0;
  let remotePacketsLost = 0;
  let timestamp = 0;
  for (const s of map.values()) {
    timestamp = Math.max(timestamp, s.timestamp ?? 0);
    const kind = kindOf(s);
    if (s.type === 'inbound-rtp' && kind) {
      bytes[`${kind}_in`] += s.bytesReceived ?? 0;
      packetsReceived += s.packetsReceived ?? 0;
      packetsLost += Math.max(0, s.packetsLost ?? 0);
    } else if (s.type === 'outbound-rtp' && kind) {
      bytes[`${kind}_out`] += s.bytesSent ?? 0;
      packetsSent += s.packetsSent ?? 0;
    } else if (s.type === 'remote-inbound-rtp') {
      remotePacketsLost += Math.max(0, s.packetsLost ?? 0);
    }
  }
  return { bytes, packetsReceived, packetsLost, packetsSent, remotePacketsLost, timestamp };
}

/** The candidate pair in use: via the transport's `selectedCandidatePairId`, else a selected/nominated succeeded pair. */
export function selectedPair(map: StatsMap): StatsEntry | null {
  for (const s of map.values()) {
    if (s.type === 'transport' && s.selectedCandidatePairId) {
      const pair = map.get(s.selectedCandidatePairId);
      if (pair) return pair;
    }
  }
  for (const s of map.values()) {
    if (s.type === 'candidate-pair' && (s.selected || (s.nominated && s.state === 'succeeded')))
      return s;
  }
  return null;
}

/** The type of our local candidate in the selected pair (`host`, `srflx`, `prflx`, `relay`), or null. */
export function localCandidateType(
  map: StatsMap,
  pair: StatsEntry | null = selectedPair(map),
): CandidateType | null {
  if (!pair?.localCandidateId) return null;
  const t = map.get(pair.localCandidateId)?.candidateType;
  return t === 'host' || t === 'srflx' || t === 'prflx' || t === 'relay' ? t : null;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Loss over an interval, in percent of the packets that should have arrived. */
function lossPct(lostDelta: number, receivedDelta: number): number | null {
  const expected = lostDelta + receivedDelta;
  if (expected <= 0) return null;
  return (Math.max(0, lostDelta) / expected) * 100;
}

/**
 * One quality sample from the interval between `prev` and `cur`.
 * - bitrate: byte deltas per kind and direction × 8 / elapsed ms = kbit/s;
 * - packet loss: the worse of what we lost receiving (inbound-rtp) and what the other side
 *   reports it lost of ours (remote-inbound-rtp against our packetsSent);
 * - RTT: the selected candidate pair's currentRoundTripTime, else the largest remote-inbound-rtp
 *   roundTripTime; jitter: the largest inbound-rtp jitter; both in ms;
 * - candidate type: of our local candidate in the selected pair.
 * With no `prev` (first sample) the bitrates and loss are computed from zero, as since the start.
 */
export function computeSample(
  prevReport: StatsMap | null,
  curReport: StatsMap,
  iceState: string,
  at: Date = new Date(),
): QualitySample {
  const cur = totals(curReport);
  const prev = prevReport ? totals(prevReport) : null;
  const elapsedMs = prev ? cur.timestamp - prev.timestamp : 0;
  const rate = (key: keyof typeof cur.bytes): number => {
    if (!prev || elapsedMs <= 0) return 0;
    const delta = cur.bytes[key] - prev.bytes[key];
    return delta > 0 ? round1((delta * 8) / elapsedMs) : 0;
  };

  const inLoss = lossPct(
    cur.packetsLost - (prev?.packetsLost ?? 0),
    cur.packetsReceived - (prev?.packetsReceived ?? 0),
  );
  const outLoss = lossPct(
    cur.remotePacketsLost - (prev?.remotePacketsLost ?? 0),
    cur.packetsSent -
      (prev?.packetsSent ?? 0) -
      (cur.remotePacketsLost - (prev?.remotePacketsLost ?? 0)),
  );
  const losses = [inLoss, outLoss].filter((x): x is number => x !== null);

  const pair = selectedPair(curReport);
  let rttS: number | null = pair?.currentRoundTripTime ?? null;
  if (rttS === null) {
    for (const s of curReport.values()) {
      if (s.type === 'remote-inbound-rtp' && typeof s.roundTripTime === 'number') {
        rttS = Math.max(rttS ?? 0, s.roundTripTime);
      }
    }
  }
  let jitterS: number | null = null;
  for (const s of curReport.values()) {
    if (s.type === 'inbound-rtp' && typeof s.jitter === 'number')
      jitterS = Math.max(jitterS ?? 0, s.jitter);
  }

  const candidateType = localCandidateType(curReport, pair);

  return {
    at: at.toISOString(),
    rtt_ms: rttS === null ? null : round1(rttS * 1000),
    jitter_ms: jitterS === null ? null : round1(jitterS * 1000),
    packet_loss_pct: losses.length ? round1(Math.max(...losses)) : null,
    bitrate_kbps: {
      audio_in: rate('audio_in'),
      audio_out: rate('audio_out'),
      video_in: rate('video_in'),
      video_out: rate('video_out'),
    },
    candidate_type: candidateType,
    ice_state: iceState,
  };
}

/** Total bytes received and sent (all kinds), for "is media flowing" displays and tests. */
export function byteTotals(map: StatsMap): { received: number; sent: number } {
  const t = totals(map);
  return {
    received: t.bytes.audio_in + t.bytes.video_in,
    sent: t.bytes.audio_out + t.bytes.video_out,
  };
}

export type QualityWarning = 'high_rtt' | 'packet_loss';

export const RTT_WARN_MS = 400;
export const RTT_WINDOW = 5;
export const RTT_WARN_COUNT = 3;
export const LOSS_WARN_PCT = 5;

/** Warnings for the latest samples (newest last): RTT over 400 ms in 3 of the last 5, loss over 5 % now. */
export function qualityWarnings(samples: readonly QualitySample[]): QualityWarning[] {
  const out: QualityWarning[] = [];
  const recent = samples.slice(-RTT_WINDOW);
  if (recent.filter((s) => (s.rtt_ms ?? 0) > RTT_WARN_MS).length >= RTT_WARN_COUNT)
    out.push('high_rtt');
  const last = samples[samples.length - 1];
  if (last && (last.packet_loss_pct ?? 0) > LOSS_WARN_PCT) out.push('packet_loss');
  return out;
}
