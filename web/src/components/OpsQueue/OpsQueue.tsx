import { formatSeconds, type OpsSummary } from '@switchboard/client';

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
          <dl className="tiles">
            <Tile name="waiting" label="Waiting now" value={length ?? 0} />
            <Tile name="queued" label="Waited" value={q.queued} />
            <Tile name="timeouts" label="Queue timeouts" value={q.timeouts} />
            <Tile name="abandoned" label="Left the line" value={q.abandoned} />
          </dl>
          {q.wait.count === 0 ? (
            <p className="empty" data-testid="ops-queue-no-waits">
              Nobody had to wait in the last hour.
            </p>
          ) : (
            <table className="ops-table" data-testid="ops-queue-wait">
              <thead>
                <tr>
                  <th scope="col">Wait in the queue</th>
                  <th scope="col" className="num">
                    Median
                  </th>
                  <th scope="col" className="num">
                    p90
                  </th>
                  <th scope="col" className="num">
                    p99
                  </th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">
                    {q.wait.count} {q.wait.count === 1 ? 'call' : 'calls'}
                    <span className="muted small block">queued → rung or gone</span>
                  </th>
                  <td className="num" data-testid="ops-queue-p50">
                    {formatSeconds(q.wait.p50)}
                  </td>
                  <td className="num">{formatSeconds(q.wait.p90)}</td>
                  <td className="num" data-testid="ops-queue-p99">
                    {formatSeconds(q.wait.p99)}
                  </td>
                </tr>
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

function Tile({ name, label, value }: { name: string; label: string; value: number }) {
  return (
    <div className={`tile tile--${name}`} data-testid={`ops-queue-${name}`} data-value={value}>
      <dt>{label}</dt>
      <dd>
        <span className="tile__value">{value}</span>
      </dd>
    </div>
  );
}
