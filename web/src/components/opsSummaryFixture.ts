/** An ops summary for the dashboard cards' tests: an hour with no calls unless patched. */
import type { OpsSummary, ServerCallState } from '@switchboard/client';

const NO_CALLS: Record<ServerCallState, number> = {
  queued: 0,
  ringing: 0,
  accepted: 0,
  active: 0,
  ended: 0,
  missed: 0,
  declined: 0,
  cancelled: 0,
  failed: 0,
};

export function opsSummary(patch: Partial<OpsSummary> = {}): OpsSummary {
  return {
    windowSeconds: 3600,
    generatedAt: 0,
    funnel: {
      created: 0,
      queued: 0,
      queueTimeouts: 0,
      accepted: 0,
      connected: 0,
      byState: { ...NO_CALLS },
      byReason: [],
    },
    setup: { count: 0, p50: null, p90: null, p99: null },
    connect: { count: 0, p50: null, p90: null, p99: null },
    ice: { connected: 0, failed: 0, successRate: null, turnShare: null },
    worstCalls: [],
    iceProfiles: [],
    queue: null,
    feedback: null,
    ...patch,
  };
}

export const byState = (counts: Partial<Record<ServerCallState, number>>) => ({
  ...NO_CALLS,
  ...counts,
});
