import { describe, expect, it, vi } from 'vitest';
import type { QualitySample } from '../types';
import { byteTotals, computeSample, qualityWarnings, toStatsMap } from './computeSample';
import { StatsSampler } from './StatsSampler';
import { directT0, directT1, relayT0, relayT1, relayT1NoPairRtt } from './fixtures/reports';

const AT = new Date('2026-11-23T21:00:00.000Z');

describe('computeSample on recorded reports', () => {
  it('computes bitrates per kind and direction from byte deltas over the report interval', () => {
    const s = computeSample(toStatsMap(directT0), toStatsMap(directT1), 'connected', AT);
    // (38 000 - 30 000) B × 8 / 2 000 ms = 32 kbit/s, and so on.
    expect(s.bitrate_kbps).toEqual({ audio_in: 32, audio_out: 34, video_in: 1000, video_out: 900 });
    expect(s.packet_loss_pct).toBe(0);
    expect(s.rtt_ms).toBe(4); // The selected pair's currentRoundTripTime, not the failed pair's 900 ms.
    expect(s.jitter_ms).toBe(8); // The worst inbound jitter.
    expect(s.candidate_type).toBe('host');
    expect(s.ice_state).toBe('connected');
    expect(s.at).toBe('2026-11-23T21:00:00.000Z');
  });

  it('computes loss as lost / (lost + received) over the interval, the worse direction', () => {
    const s = computeSample(toStatsMap(relayT0), toStatsMap(relayT1), 'connected', AT);
    // Inbound: 10 lost, 90 received = 10 %. Outbound: 2 of 100 sent = 2 %.
    expect(s.packet_loss_pct).toBe(10);
    expect(s.rtt_ms).toBe(460);
    expect(s.jitter_ms).toBe(45);
    expect(s.candidate_type).toBe('relay');
    expect(s.bitrate_kbps.audio_in).toBe(16);
    expect(s.bitrate_kbps.video_in).toBe(0);
  });

  it('falls back on remote-inbound-rtp roundTripTime when the pair has none', () => {
    const s = computeSample(toStatsMap(relayT0), toStatsMap(relayT1NoPairRtt), 'connected', AT);
    expect(s.rtt_ms).toBe(470);
  });

  it('gives zero bitrates without a previous report', () => {
    const s = computeSample(null, toStatsMap(directT1), 'checking', AT);
    expect(s.bitrate_kbps).toEqual({ audio_in: 0, audio_out: 0, video_in: 0, video_out: 0 });
  });

  it('never reports a negative bitrate when counters restart (e.g. after a track change)', () => {
    const s = computeSample(
      toStatsMap(directT1),
      toStatsMap(directT0.map((e) => ({ ...e, timestamp: 14_000 }))),
      'connected',
      AT,
    );
    expect(Object.values(s.bitrate_kbps).every((v) => v === 0)).toBe(true);
  });

  it('totals bytes for the "media is flowing" display', () => {
    expect(byteTotals(toStatsMap(directT1))).toEqual({ received: 688_000, sent: 674_500 });
  });
});

const sample = (rtt: number | null, loss: number | null = 0): QualitySample => ({
  at: AT.toISOString(),
  rtt_ms: rtt,
  jitter_ms: 1,
  packet_loss_pct: loss,
  bitrate_kbps: { audio_in: 0, audio_out: 0, video_in: 0, video_out: 0 },
  candidate_type: 'host',
  ice_state: 'connected',
});

describe('qualityWarnings', () => {
  it('warns about RTT over 400 ms in 3 of the last 5 samples, not 2', () => {
    expect(qualityWarnings([500, 10, 500, 10, 10].map((r) => sample(r)))).toEqual([]);
    expect(qualityWarnings([500, 10, 500, 10, 401].map((r) => sample(r)))).toEqual(['high_rtt']);
    expect(qualityWarnings([500, 500, 500, 10, 10, 10, 10].map((r) => sample(r)))).toEqual([]); // Older ones slid out.
    expect(qualityWarnings([400, 400, 400].map((r) => sample(r)))).toEqual([]); // "over" 400.
  });

  it('warns about loss over 5 % in the latest sample', () => {
    expect(qualityWarnings([sample(10, 5)])).toEqual([]);
    expect(qualityWarnings([sample(10, 5.1)])).toEqual(['packet_loss']);
    expect(qualityWarnings([sample(10, 9), sample(10, 1)])).toEqual([]);
  });
});

describe('StatsSampler', () => {
  it('posts one sample per interval after the first report, with warnings', async () => {
    const reports = [
      relayT0,
      relayT1,
      relayT1.map((e) => ({ ...e, timestamp: e.timestamp + 2000 })),
    ];
    let i = 0;
    const source = {
      iceConnectionState: 'connected',
      getStats: () =>
        Promise.resolve(
          toStatsMap(reports[Math.min(i++, reports.length - 1)]) as unknown as RTCStatsReport,
        ),
    };
    const posted: QualitySample[] = [];
    const sampler = new StatsSampler(source, (s) => posted.push(s));
    const warnings = vi.fn();
    sampler.on('warnings', warnings);
    expect(await sampler.tick()).toBeNull();
    await sampler.tick();
    expect(posted).toHaveLength(1);
    expect(warnings).toHaveBeenCalledWith(['packet_loss']);
    await sampler.tick();
    expect(posted).toHaveLength(2);
    expect(posted[1]?.packet_loss_pct).toBeNull(); // No packets in the interval: loss is unknown, not 0.
    expect(sampler.snapshot.bytesReceived).toBe(104_000);
    expect(sampler.summary()).toMatchObject({ samples: 2, candidateType: 'relay' });
  });
});
