/** How long to wait before reconnect attempt `attempt` (0-based); null means give up. */
export interface ReconnectPolicy {
  nextDelayMs(attempt: number): number | null;
}

/**
 * Exponential backoff with jitter: the ceiling doubles from `baseMs` up to `maxMs`, and the delay is
 * drawn between half the ceiling and the ceiling ("equal jitter"), so a fleet of tabs that lost the
 * server together does not come back in lockstep.
 */
export class DefaultReconnectPolicy implements ReconnectPolicy {
  constructor(
    private readonly baseMs = 500,
    private readonly maxMs = 15_000,
    private readonly random: () => number = Math.random,
    private readonly maxAttempts = Infinity,
  ) {}

  nextDelayMs(attempt: number): number | null {
    if (attempt >= this.maxAttempts) return null;
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(attempt, 20));
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }
}

/** For tests: reconnect at once, forever. */
export const immediateReconnect: ReconnectPolicy = { nextDelayMs: () => 0 };
