import type { OpsSummary } from '@switchboard/client';
import { OpsTiles } from '../OpsFigures/OpsTiles';
import { PercentileTable } from '../OpsFigures/PercentileTable';

export interface OpsQueueProps {
  /** Shown until the first answer. */
  pendingText?: string;
  summary: OpsSummary | null;
  /** Calls waiting now, live from the board; the summary's figure (a few seconds old) otherwise. */
  liveLength: number | null;
}

/** The org's queue (docs/queue.md): how many wait now, and how long the last hour's callers waited. */
export function OpsQueue({ summary, liveLength, pendingText = 'Loading…' }: OpsQueueProps) {
  const q = summary?.queue ?? null;
  const length = liveLength ?? q?.length ?? null;
  return (
    <section
      className="card ops-card ops__queue"
      aria-labelledby="queue-title"
      aria-busy={!summary}
      data-testid="ops-queue"
    >
      <div className="ops-card__head">
        <h2 id="queue-title" className="h3">
          Queue
        </h2>
        {q && <p className="muted small ops-card__meta">Waiting now, and the last hour</p>}
      </div>
      {!summary && <p className="muted">{pendingText}</p>}
      {summary && !q && (
        <p className="empty" data-testid="ops-queue-unknown">
          This server does not report its queue.
        </p>
      )}
      {q && (
        <>
          <OpsTiles
            testIdPrefix="ops-queue"
            tiles={[
              { key: 'waiting', label: 'Waiting now', value: length ?? 0 },
              { key: 'queued', label: 'Waited', value: q.queued },
              { key: 'timeouts', label: 'Queue timeouts', value: q.timeouts },
              { key: 'abandoned', label: 'Left the line', value: q.abandoned },
            ]}
          />
          {q.wait.count === 0 ? (
            <p className="empty" data-testid="ops-queue-no-waits">
              Nobody had to wait in the last hour.
            </p>
          ) : (
            <PercentileTable
              label="Queue wait table"
              rows={[
                {
                  testId: 'ops-queue-wait',
                  label: 'Wait in the queue',
                  detail: 'queued → rung or gone',
                  p: q.wait,
                },
              ]}
            />
          )}
        </>
      )}
    </section>
  );
}
