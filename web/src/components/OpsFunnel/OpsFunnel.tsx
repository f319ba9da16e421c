import {
  CALL_STATE_TEXT,
  formatPercent,
  reasonText,
  share,
  type OpsSummary,
  type ServerCallState,
} from '@switchboard/client';
import { OpsTiles, type OpsTile } from '../OpsFigures/OpsTiles';

export interface OpsFunnelProps {
  /** Shown until the first answer. */
  pendingText?: string;
  /** null while loading. */
  summary: OpsSummary | null;
}

const OUTCOMES: ServerCallState[] = ['ended', 'missed', 'declined', 'cancelled', 'failed'];

/** The last hour's calls: how many were answered and connected, how the rest ended, and why. */
export function OpsFunnel({ summary, pendingText = 'Loading…' }: OpsFunnelProps) {
  const f = summary?.funnel;
  const minutes = summary ? Math.round(summary.windowSeconds / 60) : 60;
  const live = f ? f.byState.queued + f.byState.ringing + f.byState.accepted + f.byState.active : 0;
  const tiles: OpsTile[] = f
    ? [
        { key: 'created', label: 'Created', value: f.created },
        ...(f.queued > 0
          ? [{ key: 'queued', label: 'Waited in queue', value: f.queued, of: f.created }]
          : []),
        { key: 'accepted', label: 'Answered', value: f.accepted, of: f.created },
        { key: 'connected', label: 'Connected', value: f.connected, of: f.created },
        ...OUTCOMES.map((s) => ({
          key: s,
          label: CALL_STATE_TEXT[s],
          value: f.byState[s],
          of: f.created,
        })),
        // Part of Missed: callers who waited in the queue until its deadline.
        ...(f.queueTimeouts > 0
          ? [
              {
                key: 'queue_timeouts',
                label: 'Queue timeouts',
                value: f.queueTimeouts,
                of: f.created,
              },
            ]
          : []),
        { key: 'live', label: 'Still live', value: live, of: f.created },
      ]
    : [];
  return (
    <section
      className="card ops-card ops__funnel"
      aria-labelledby="funnel-title"
      aria-busy={!summary}
      data-testid="ops-funnel"
    >
      <div className="ops-card__head">
        <h2 id="funnel-title" className="h3">
          Last hour
        </h2>
        {f && f.created > 0 && (
          <p className="muted small ops-card__meta">Calls created in the last {minutes} minutes</p>
        )}
      </div>
      {!f && <p className="muted">{pendingText}</p>}
      {f?.created === 0 && (
        <p className="empty" data-testid="funnel-empty">
          No calls in the last hour.
        </p>
      )}
      {f && f.created > 0 && (
        <>
          <OpsTiles tiles={tiles} testIdPrefix="funnel" />
          <div className="outcome-bar" aria-hidden="true">
            {OUTCOMES.concat(['queued', 'ringing', 'accepted', 'active'])
              .filter((s) => f.byState[s] > 0)
              .map((s) => (
                <span
                  key={s}
                  className={`outcome-bar__part outcome-bar__part--${s}`}
                  style={{ flexGrow: f.byState[s] }}
                  title={`${CALL_STATE_TEXT[s]}: ${f.byState[s]}`}
                />
              ))}
          </div>
          <h3 className="h4" id="reasons-title">
            How calls ended
          </h3>
          {f.byReason.length === 0 ? (
            <p className="empty">No call has ended yet in the last hour.</p>
          ) : (
            <div className="table-wrap" role="region" aria-labelledby="reasons-title" tabIndex={0}>
              <table className="ops-table" data-testid="funnel-reasons">
                <thead>
                  <tr>
                    <th scope="col">Outcome</th>
                    <th scope="col">Reason</th>
                    <th scope="col" className="num">
                      Calls
                    </th>
                    <th scope="col" className="num">
                      Share
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {f.byReason.map((r) => (
                    <tr
                      key={`${r.state}/${r.reason}`}
                      data-testid={`reason-${r.state}-${r.reason}`}
                      data-value={r.count}
                    >
                      <td>
                        <span className={`pill pill--${r.state}`}>
                          {CALL_STATE_TEXT[r.state as ServerCallState] ?? r.state}
                        </span>
                      </td>
                      {/* Prose only; the wire code stays at hand for whoever greps the logs. */}
                      <th scope="row" title={r.reason || undefined}>
                        {reasonText(r.reason)}
                      </th>
                      <td className="num">{r.count}</td>
                      <td className="num">{formatPercent(share(r.count, f.created))}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
