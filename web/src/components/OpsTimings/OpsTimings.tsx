import type { OpsSummary } from '@switchboard/client';
import { PercentileTable, type PercentileRow } from '../OpsFigures/PercentileTable';

export interface OpsTimingsProps {
  /** Shown until the first answer. */
  pendingText?: string;
  summary: OpsSummary | null;
}

/** How long callers wait for an answer, and how long media takes to connect once answered. */
export function OpsTimings({ summary, pendingText = 'Loading…' }: OpsTimingsProps) {
  const rows: PercentileRow[] = summary
    ? [
        {
          testId: 'timing-setup',
          label: 'Answer time',
          detail: 'created → answered',
          p: summary.setup,
        },
        {
          testId: 'timing-connect',
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
      {summary && !none && <PercentileTable label="Set-up and connect times table" rows={rows} />}
    </section>
  );
}
