/**
 * The caller's estimate between two `queue.updated` messages (docs/queue.md, "On the caller's
 * page"). The server sends a new estimate only when the caller's place or the staff serving
 * change, so a waiting caller would otherwise read "About 4 minutes to go" for four minutes.
 * The page counts down from the last estimate it heard; the next one replaces it, up or down.
 */

/** Below this the countdown stops: "less than a minute" until the server says more. */
export const COUNTDOWN_FLOOR_S = 20;

/**
 * How long past the estimate the page still says "less than a minute": an estimate is a guess,
 * and a short one (a few seconds, after quick calls) would otherwise be "late" at once.
 */
export const OVERDUE_AFTER_S = 60;

/**
 * Seconds still to wait: the estimate heard `heardAtMs` minus the time since, never below the
 * floor; `'overdue'` once the estimate has been passed by OVERDUE_AFTER_S, null without an
 * estimate.
 */
export function remainingWait(
  estimateS: number | null,
  heardAtMs: number,
  nowMs: number,
): number | 'overdue' | null {
  if (estimateS === null) return null;
  const left = estimateS - Math.max(nowMs - heardAtMs, 0) / 1000;
  if (left <= -OVERDUE_AFTER_S) return 'overdue';
  return Math.max(left, Math.min(COUNTDOWN_FLOOR_S, Math.max(estimateS, 1)));
}
