/**
 * One plain verdict on a connection for people who are not engineers ("Good connection"), from
 * the round trip (ms) and the packet loss (%). The figures stay for the stats panel and staff.
 */
export type ConnectionVerdict = 'good' | 'fair' | 'poor';

export const VERDICT_WORDS: Record<ConnectionVerdict, string> = {
  good: 'Good connection',
  fair: 'Fair connection',
  poor: 'Poor connection',
};

/** Null when nothing was measured. */
export function connectionVerdict(
  rttMs: number | null | undefined,
  lossPct: number | null | undefined,
): ConnectionVerdict | null {
  if (rttMs == null && lossPct == null) return null;
  if ((rttMs ?? 0) > 400 || (lossPct ?? 0) > 5) return 'poor';
  if ((rttMs ?? 0) > 200 || (lossPct ?? 0) > 2) return 'fair';
  return 'good';
}

/** The selected route in words: a relay server carries the media, or it goes straight. */
export function routeWords(candidateType: string | null | undefined): string | null {
  if (!candidateType) return null;
  return candidateType === 'relay' ? 'Through a relay server' : 'Direct';
}
