import { formatSeconds, type Percentiles } from '@switchboard/client';

export interface PercentileRow {
  label: string;
  /** What is measured, from what to what, under the label. */
  detail: string;
  p: Percentiles;
  /** The row's test id; its cells' are this and `-count`, `-p50`, `-p90`, `-p99`. */
  testId: string;
}

export interface PercentileTableProps {
  /** Names the table's scrolling region for screen readers. */
  label: string;
  rows: PercentileRow[];
}

/**
 * Durations of the last hour's calls: how many, the median, p90 and p99, one row a measure. On a
 * narrow screen the table scrolls sideways in its own region, which the keyboard can reach.
 */
export function PercentileTable({ label, rows }: PercentileTableProps) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
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
            <tr key={r.testId} data-testid={r.testId} data-count={r.p.count}>
              <th scope="row">
                {r.label}
                <span className="muted small block">{r.detail}</span>
              </th>
              <td className="num" data-testid={`${r.testId}-count`}>
                {r.p.count}
              </td>
              <td className="num" data-testid={`${r.testId}-p50`}>
                {formatSeconds(r.p.p50)}
              </td>
              <td className="num" data-testid={`${r.testId}-p90`}>
                {formatSeconds(r.p.p90)}
              </td>
              <td className="num" data-testid={`${r.testId}-p99`}>
                {formatSeconds(r.p.p99)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
