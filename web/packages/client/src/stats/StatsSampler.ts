/**
 * Every 2 s: `getStats()`, one quality sample (computeSample), warnings, and a hand-off to
 * `onSample` (SwitchboardClient posts it to `POST /v1/calls/{id}/quality`).
 */
import type { QualitySample } from '../types';
import { TypedEmitter } from '../util/emitter';
import { getLogger } from '../util/logger';
import { realClock, type Clock } from '../util/time';
import {
  byteTotals,
  computeSample,
  qualityWarnings,
  type QualityWarning,
  type StatsMap,
  toStatsMap,
} from './computeSample';

const log = getLogger('stats');

export interface StatsSource {
  getStats(): Promise<RTCStatsReport>;
  readonly iceConnectionState: string;
}

export interface StatsSnapshot {
  latest: QualitySample | null;
  warnings: QualityWarning[];
  bytesReceived: number;
  bytesSent: number;
  samples: number;
}

type SamplerEvents = {
  sample: (s: QualitySample, snapshot: StatsSnapshot) => void;
  warnings: (w: QualityWarning[]) => void;
};

export class StatsSampler extends TypedEmitter<SamplerEvents> {
  private prev: StatsMap | null = null;
  private readonly history: QualitySample[] = [];
  private timer: unknown = null;
  private warningsValue: QualityWarning[] = [];
  private snapshotValue: StatsSnapshot = {
    latest: null,
    warnings: [],
    bytesReceived: 0,
    bytesSent: 0,
    samples: 0,
  };

  constructor(
    private readonly source: StatsSource,
    private readonly onSample: (s: QualitySample) => void,
    private readonly intervalMs = 2000,
    private readonly clock: Clock = realClock,
  ) {
    super();
  }

  get snapshot(): StatsSnapshot {
    return this.snapshotValue;
  }

  get samples(): readonly QualitySample[] {
    return this.history;
  }

  start(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = this.clock.setInterval(() => void this.tick(), this.intervalMs);
  }

  stop(): void {
    this.clock.clearInterval(this.timer);
    this.timer = null;
  }

  /** One round; public so tests can drive it. */
  async tick(): Promise<QualitySample | null> {
    let report: StatsMap;
    try {
      report = toStatsMap(await this.source.getStats());
    } catch (e) {
      log.debug('getStats failed', { error: String(e) });
      return null;
    }
    const first = this.prev === null;
    const sample = computeSample(this.prev, report, this.source.iceConnectionState);
    this.prev = report;
    const totals = byteTotals(report);
    if (first) {
      // No interval yet: keep the totals, post nothing.
      this.snapshotValue = {
        ...this.snapshotValue,
        bytesReceived: totals.received,
        bytesSent: totals.sent,
      };
      return null;
    }
    this.history.push(sample);
    if (this.history.length > 300) this.history.shift();
    const warnings = qualityWarnings(this.history);
    if (warnings.join() !== this.warningsValue.join()) {
      this.warningsValue = warnings;
      if (warnings.length) log.warn(`quality warning: ${warnings.join(', ')}`, { sample });
      this.emit('warnings', warnings);
    }
    this.snapshotValue = {
      latest: sample,
      warnings,
      bytesReceived: totals.received,
      bytesSent: totals.sent,
      samples: this.history.length,
    };
    this.onSample(sample);
    this.emit('sample', sample, this.snapshotValue);
    return sample;
  }

  /** Averages for the end-of-call summary when the server's summary is not available. */
  summary(): {
    samples: number;
    rttAvgMs: number | null;
    lossMaxPct: number | null;
    candidateType: string | null;
  } {
    const rtts = this.history.map((s) => s.rtt_ms).filter((x): x is number => x !== null);
    const losses = this.history
      .map((s) => s.packet_loss_pct)
      .filter((x): x is number => x !== null);
    return {
      samples: this.history.length,
      rttAvgMs: rtts.length ? Math.round(rtts.reduce((a, b) => a + b, 0) / rtts.length) : null,
      lossMaxPct: losses.length ? Math.max(...losses) : null,
      candidateType: this.history[this.history.length - 1]?.candidate_type ?? null,
    };
  }
}
