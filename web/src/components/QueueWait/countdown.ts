/**
 * The caller's estimate between two `queue.updated` messages (docs/queue.md, "On the caller's
 * page"). The server sends a new estimate only when the caller's place or the staff serving
 * change, so a waiting caller would otherwise read "About 4 minutes to go" for four minutes.
 * The page counts down from the last estimate it heard; the next one replaces it, up or down.
 */

/** Below this the countdown stops: "less than a minute" until the server says more. */
export const COUNTDOWN_FLOOR_S = 20;

/**
 * Seconds still to wait: the estimate heard `heardAtMs` minus the time since, never below the
 * floor while the estimate lasts; `'overdue'` once the whole estimate has passed, null without
 * an estimate.
 */
export function remainingWait(
  estimateS: number | null,
  heardAtMs: number,
  nowMs: number,
): number | 'overdue' | null {
  if (estimateS === null) return null;
  const left = estimateS - Math.max(nowMs - heardAtMs, 0) / 1000;
  if (left <= 0) return 'overdue';
  return Math.max(left, Math.min(COUNTDOWN_FLOOR_S, estimateS));
}
