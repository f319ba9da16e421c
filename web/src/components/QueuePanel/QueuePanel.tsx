import { formatDuration, type Call } from '@switchboard/client';
import { useNow } from '@switchboard/react';
import { queueFigures } from './queueFigures';

export interface QueuePanelProps {
  /** The org's queued calls in order; null while loading. */
  calls: Call[] | null;
  error: string | null;
  /** Server clock minus this one. */
  clockOffsetMs: number;
}

/** The staff console's view of the queue: how many wait, the longest wait, and for what. */
export function QueuePanel({ calls, error, clockOffsetMs }: QueuePanelProps) {
  const now = useNow(1000);
  const f = calls ? queueFigures(calls, clockOffsetMs) : null;
  const longest =
    f?.oldestSinceMs != null ? formatDuration(Math.max(now - f.oldestSinceMs, 0)) : null;
  return (
    <section
      className={`card queue-panel${f && f.length > 0 ? ' queue-panel--waiting' : ''}`}
      aria-labelledby="queue-panel-title"
      aria-busy={calls === null}
      data-testid="queue-panel"
      data-length={f?.length ?? ''}
    >
      <h2 id="queue-panel-title" className="h3">
        Queue
      </h2>
      {f === null && !error && <p className="muted small">Loading…</p>}
      {error && (
        <p className="muted small" role="status">
          {error}
        </p>
      )}
      {f?.length === 0 && (
        <p className="muted small" data-testid="queue-panel-empty">
          Nobody is waiting.
        </p>
      )}
      {f && f.length > 0 && (
        <>
          <p className="queue-panel__figures">
            <strong data-testid="queue-panel-length">
              {f.length} {f.length === 1 ? 'caller waiting' : 'callers waiting'}
            </strong>
            {longest && (
              <span className="muted small block" data-testid="queue-panel-longest">
                Longest wait <span className="queue-panel__time">{longest}</span>
              </span>
            )}
          </p>
          <ul
            className="queue-panel__topics"
            aria-label="Waiting by topic"
            data-testid="queue-panel-topics"
          >
            {f.topics.map((t) => (
              <li key={t.topic ?? ''} data-topic={t.topic ?? ''}>
                <span className="pill pill--queued">{t.topic ?? 'No topic'}</span>
                <span className="num">{t.count}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
