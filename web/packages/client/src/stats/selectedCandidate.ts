/**
 * The route media took, for `POST /v1/calls/{id}/connected` (`candidate_type`, which feeds the
 * server's ICE metrics and TURN share). Right after ICE connects the selected pair is usually in
 * `getStats()` already; when it is not, we ask again a few times, but never for long: the report
 * must not wait on it.
 */
import type { CandidateType } from '../types';
import { realClock, type Clock } from '../util/time';
import { localCandidateType, toStatsMap } from './computeSample';

export interface CandidateTypeSource {
  getStats(): Promise<RTCStatsReport>;
}

export interface CandidateWait {
  /** The whole wait, getStats() calls included. */
  timeoutMs?: number;
  /** Pause between two tries. */
  retryMs?: number;
  clock?: Clock;
}

export const CANDIDATE_WAIT_MS = 1500;

/** Our local candidate type in the selected pair, or null when still unknown after `timeoutMs`. */
export async function waitForCandidateType(
  source: CandidateTypeSource,
  { timeoutMs = CANDIDATE_WAIT_MS, retryMs = 150, clock = realClock }: CandidateWait = {},
): Promise<CandidateType | null> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const left = deadline - clock.now();
    if (left <= 0) return null;
    let timer: unknown = null;
    const expired = new Promise<'expired'>((resolve) => {
      timer = clock.setTimeout(() => resolve('expired'), left);
    });
    const got = await Promise.race([
      source.getStats().then(
        (r) => localCandidateType(toStatsMap(r)),
        () => null,
      ),
      expired,
    ]);
    clock.clearTimeout(timer);
    if (got === 'expired') return null;
    if (got) return got;
    const pause = Math.min(retryMs, deadline - clock.now());
    if (pause <= 0) return null;
    await new Promise<void>((resolve) => clock.setTimeout(resolve, pause));
  }
}
