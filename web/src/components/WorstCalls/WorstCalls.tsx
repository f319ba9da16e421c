import type { ReactNode } from 'react';
import { partyName, CALL_STATE_TEXT, type AvgMax, type WorstCall } from '@switchboard/client';

export interface WorstCallsProps {
  /** Shown until the first answer. */
  pendingText?: string;
  /** null while loading. */
  calls: WorstCall[] | null;
}

const ROUTE_TEXT: Record<string, string> = {
  host: 'Direct',
  srflx: 'Direct (NAT)',
  prflx: 'Direct (NAT)',
  relay: 'TURN relay',
};

function fmt(n: number | null, digits: number): string {
  if (n === null) return '–';
  return n.toFixed(n !== 0 && Math.abs(n) < 10 ? digits : 0);
}

/** "1.2 / 4.0 %": average, then worst. */
function avgMax(m: AvgMax, unit: string, digits = 1): string {
  if (m.avg === null && m.max === null) return '–';
  return `${fmt(m.avg, digits)} / ${fmt(m.max, digits)} ${unit}`;
}

function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

const COLUMNS: { label: string; num?: boolean; cell: (w: WorstCall) => ReactNode }[] = [
  { label: 'Caller', cell: (w) => partyName(w.call.caller) },
  { label: 'Staff', cell: (w) => (w.call.staff ? partyName(w.call.staff) : '–') },
  { label: 'Started', cell: (w) => clock(w.call.created_at) },
  {
    label: 'Outcome',
    cell: (w) => (
      <span className={`pill pill--${w.call.state}`}>
        {CALL_STATE_TEXT[w.call.state] ?? w.call.state}
      </span>
    ),
  },
  { label: 'Packet loss', num: true, cell: (w) => avgMax(w.lossPct, '%') },
  { label: 'Round trip', num: true, cell: (w) => avgMax(w.rttMs, 'ms', 0) },
  { label: 'Jitter', num: true, cell: (w) => avgMax(w.jitterMs, 'ms', 1) },
  {
    label: 'Route',
    cell: (w) => (w.candidateType ? (ROUTE_TEXT[w.candidateType] ?? w.candidateType) : '–'),
  },
  { label: 'Reconnects', num: true, cell: (w) => w.reconnects ?? '–' },
  { label: 'Samples', num: true, cell: (w) => w.samples },
];

/** The last hour's calls with the worst quality reports, worst first (the server's ranking). */
export function WorstCalls({ calls, pendingText = 'Loading…' }: WorstCallsProps) {
  return (
    <section
      className="card ops-card ops__worst"
      aria-labelledby="worst-title"
      aria-busy={calls === null}
      data-testid="worst-calls"
      data-count={calls?.length ?? ''}
    >
      <div className="ops-card__head">
        <h2 id="worst-title" className="h3">
          Worst calls by quality
        </h2>
        {calls && calls.length > 0 && (
          <p className="muted small ops-card__meta" id="worst-note">
            Worst first: packet loss, then round-trip time and jitter. Each figure is the worse of
            the two sides, as average / worst sample.
          </p>
        )}
      </div>
      {calls === null && <p className="muted">{pendingText}</p>}
      {calls?.length === 0 && (
        <p className="empty" data-testid="worst-calls-empty">
          No quality reports in the last hour.
        </p>
      )}
      {calls && calls.length > 0 && (
        <div
          className="table-wrap"
          role="region"
          aria-label="Worst calls table"
          aria-describedby="worst-note"
          tabIndex={0}
        >
          {/* Explicit roles: on phones the rows are laid out as cards (display changes), and
              some browsers then drop the table semantics unless told. */}
          <table className="ops-table table--stack" role="table">
            <thead role="rowgroup">
              <tr role="row">
                {COLUMNS.map((c) => (
                  <th
                    key={c.label}
                    scope="col"
                    role="columnheader"
                    className={c.num ? 'num' : undefined}
                  >
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody role="rowgroup">
              {calls.map((w) => (
                <tr key={w.call.id} role="row" data-testid={`worst-call-${w.call.id}`}>
                  {COLUMNS.map((c) =>
                    c.label === 'Caller' ? (
                      <th key={c.label} scope="row" role="rowheader" data-label={c.label}>
                        {c.cell(w)}
                      </th>
                    ) : (
                      <td
                        key={c.label}
                        role="cell"
                        data-label={c.label}
                        className={c.num ? 'num' : undefined}
                      >
                        {c.cell(w)}
                      </td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
