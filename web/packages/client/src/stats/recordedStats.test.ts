/**
 * The sampler's arithmetic on two real getStats() reports, recorded in Chromium during a direct
 * two-peer call on loopback by tests/e2e/record-stats.mjs (`npm run record-stats`). The
 * hand-written fixtures in fixtures/reports.ts stay for the edge cases (loss, relay, fallbacks);
 * these cases check that what a real browser reports gives what a real call implies.
 */
import { describe, expect, it } from 'vitest';
import type { QualitySample } from '../types';
import {
  byteTotals,
  computeSample,
  localCandidateType,
  selectedPair,
  type StatsEntry,
  toStatsMap,
} from './computeSample';
import { StatsSampler } from './StatsSampler';
import { waitForCandidateType } from './selectedCandidate';
import recorded from './fixtures/chromium-direct-call.json';

const t0 = recorded.t0 as unknown as StatsEntry[];
const t1 = recorded.t1 as unknown as StatsEntry[];
const AT = new Date('2026-11-23T21:00:00.000Z');

const ofType = (report: StatsEntry[], type: string, kind?: string): StatsEntry[] =>
  report.filter((s) => s.type === type && (kind === undefined || s.kind === kind));

describe('the recorded Chromium reports', () => {
  it('are two successive reports of one call, about 2 s apart', () => {
    const ts0 = Math.max(...t0.map((s) => s.timestamp));
    const ts1 = Math.max(...t1.map((s) => s.timestamp));
    expect(ts1 - ts0).toBeGreaterThan(1500);
    expect(ts1 - ts0).toBeLessThan(4000);
    for (const report of [t0, t1]) {
      for (const kind of ['audio', 'video']) {
        expect(ofType(report, 'inbound-rtp', kind)).toHaveLength(1);
        expect(ofType(report, 'outbound-rtp', kind)).toHaveLength(1);
      }
      expect(ofType(report, 'transport').some((s) => s.selectedCandidatePairId)).toBe(true);
    }
  });

  it('count more bytes in the second report than in the first, both ways', () => {
    const a = byteTotals(toStatsMap(t0));
    const b = byteTotals(toStatsMap(t1));
    expect(a.received).toBeGreaterThan(0);
    expect(a.sent).toBeGreaterThan(0);
    expect(b.received).toBeGreaterThan(a.received);
    expect(b.sent).toBeGreaterThan(a.sent);
  });
});

describe('computeSample on the recorded pair', () => {
  const s = computeSample(toStatsMap(t0), toStatsMap(t1), 'connected', AT);

  it('finds the selected pair and its host candidate (a direct call on loopback)', () => {
    const pair = selectedPair(toStatsMap(t1));
    expect(pair?.type).toBe('candidate-pair');
    expect(pair?.state).toBe('succeeded');
    expect(s.candidate_type).toBe('host');
    expect(localCandidateType(toStatsMap(t0))).toBe('host');
  });

  it('gives audio and video bitrates in and out that a real call has', () => {
    const { audio_in, audio_out, video_in, video_out } = s.bitrate_kbps;
    // Opus: a few to a few tens of kbit/s (at most 510).
    for (const audio of [audio_in, audio_out]) {
      expect(audio).toBeGreaterThan(5);
      expect(audio).toBeLessThan(510);
    }
    for (const video of [video_in, video_out]) {
      expect(video).toBeGreaterThan(50);
      expect(video).toBeLessThan(5000);
    }
  });

  it('gives loss as a percentage, and RTT and jitter as non-negative milliseconds', () => {
    expect(s.packet_loss_pct).not.toBeNull();
    expect(s.packet_loss_pct).toBeGreaterThanOrEqual(0);
    expect(s.packet_loss_pct).toBeLessThanOrEqual(100);
    if (s.rtt_ms !== null) {
      expect(typeof s.rtt_ms).toBe('number');
      expect(s.rtt_ms).toBeGreaterThanOrEqual(0);
      expect(s.rtt_ms).toBeLessThan(1000); // loopback
    }
    expect(s.jitter_ms).not.toBeNull();
    expect(s.jitter_ms).toBeGreaterThanOrEqual(0);
    expect(s.ice_state).toBe('connected');
  });

  it('is what the sampler posts for the interval between the two reports', async () => {
    const reports = [t0, t1];
    let i = 0;
    const source = {
      iceConnectionState: 'connected',
      getStats: () => Promise.resolve(toStatsMap(reports[i++]) as unknown as RTCStatsReport),
    };
    const posted: QualitySample[] = [];
    const sampler = new StatsSampler(source, (p) => posted.push(p));
    expect(await sampler.tick()).toBeNull();
    await sampler.tick();
    expect(posted).toHaveLength(1);
    expect({ ...posted[0], at: AT.toISOString() }).toEqual(s);
    expect(sampler.snapshot.bytesReceived).toBe(byteTotals(toStatsMap(t1)).received);
    expect(sampler.summary().candidateType).toBe('host');
  });

  it('names the route for the connected report', async () => {
    const source = { getStats: () => Promise.resolve(toStatsMap(t1) as unknown as RTCStatsReport) };
    expect(await waitForCandidateType(source)).toBe('host');
  });
});
