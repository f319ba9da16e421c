import { formatSeconds, type OpsSummary, type Percentiles } from '@switchboard/client';

export interface OpsTimingsProps {
  /** Shown until the first answer. */
  pendingText?: string;
  summary: OpsSummary | null;
}

/** How long callers wait for an answer, and how long media takes to connect once answered. */
export function OpsTimings({ summary, pendingText = 'Loading…' }: OpsTimingsProps) {
  const rows: { key: string; label: string; detail: string; p: Percentiles }[] = summary
    ? [
        {
          key: 'setup',
          label: 'Answer time',
          detail: 'created → answered',
          p: summary.setup,
        },
        {
          key: 'connect',
          label: 'Connect time',
          detail: 'answered → media flowing',
          p: summary.connect,
        },
      ]
    : [];
  const none = summary !== null && rows.every((r) => r.p.count === 0);
  return (
    <section
      className="card ops-card ops__timings"
      aria-labelledby="timings-title"
      aria-busy={!summary}
      data-testid="ops-timings"
    >
      <h2 id="timings-title" className="h3">
        Set-up and connect times
      </h2>
      {!summary && <p className="muted">{pendingText}</p>}
      {none && (
        <p className="empty" data-testid="timings-empty">
          No answered calls in the last hour.
        </p>
      )}
      {summary && !none && (
        <div
          className="table-wrap"
          role="region"
          aria-label="Set-up and connect times table"
          tabIndex={0}
        >
          <table className="ops-table">
            <thead>
              <tr>
                <th scope="col">Last hour</th>
                <th scope="col" className="num">
                  Calls
                </th>
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
              {rows.map((r) => (
                <tr key={r.key} data-testid={`timing-${r.key}`} data-count={r.p.count}>
                  <th scope="row">
                    {r.label}
                    <span className="muted small block">{r.detail}</span>
                  </th>
                  <td className="num">{r.p.count}</td>
                  <td className="num">{formatSeconds(r.p.p50)}</td>
                  <td className="num">{formatSeconds(r.p.p90)}</td>
                  <td className="num">{formatSeconds(r.p.p99)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
