import type { Call } from '@switchboard/client';

export interface TopicCount {
  /** null: calls without a topic. */
  topic: string | null;
  count: number;
}

export interface QueueFigures {
  length: number;
  /** When the first in line joined, in this browser's clock (ms); null with nobody waiting. */
  oldestSinceMs: number | null;
  /** Most waiting first, then by name; calls without a topic last. */
  topics: TopicCount[];
}

/** What the staff console shows of the org's queue (GET /v1/queue), pure for tests. */
export function queueFigures(calls: readonly Call[], clockOffsetMs: number): QueueFigures {
  const counts = new Map<string | null, number>();
  let oldest: number | null = null;
  for (const c of calls) {
    const topic = c.topic ?? null;
    counts.set(topic, (counts.get(topic) ?? 0) + 1);
    const since = Date.parse(c.queued_at ?? c.created_at);
    if (Number.isFinite(since) && (oldest === null || since < oldest)) oldest = since;
  }
  const topics = [...counts.entries()]
    .map(([topic, count]) => ({ topic, count }))
    .sort(
      (a, b) =>
        Number(a.topic === null) - Number(b.topic === null) ||
        b.count - a.count ||
        (a.topic ?? '').localeCompare(b.topic ?? ''),
    );
  return {
    length: calls.length,
    // Server time to this browser's: the offset is server minus browser.
    oldestSinceMs: oldest === null ? null : oldest - clockOffsetMs,
    topics,
  };
}
