import { formatDuration, partyName, type Call } from '@switchboard/client';

/** A call's outcome in a few words, the reason included where it changes the story. */
function outcomeText(c: Call): string {
  if (c.state === 'ended' && c.end_reason === 'caller_left') return 'Caller left';
  if (c.state === 'ended' && c.end_reason === 'staff_left') return 'Staff left';
  if (c.state === 'ended' && c.end_reason === 'participant_lost') return 'Dropped';
  return OUTCOME[c.state] ?? c.state;
}

const OUTCOME: Record<Call['state'], string> = {
  queued: 'Waiting in the queue',
  ringing: 'Ringing',
  accepted: 'Connecting',
  active: 'In progress',
  ended: 'Completed',
  missed: 'Missed',
  declined: 'Declined',
  cancelled: 'Caller hung up',
  failed: 'Failed',
};

/** The staff console's last calls (`useRecentCalls` keeps them current). */
export function RecentCalls({
  calls,
  error,
  onRefresh,
}: {
  calls: Call[] | null;
  error: string | null;
  onRefresh: () => void;
}) {
  return (
    <section className="card recent" aria-labelledby="recent-title" data-testid="recent-calls">
      <div className="recent__head">
        <h2 id="recent-title" className="h3">
          Recent calls
        </h2>
        <button type="button" className="btn btn--ghost btn--small" onClick={onRefresh}>
          Refresh
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      {calls && calls.length === 0 && <p className="muted">No calls yet.</p>}
      {calls && calls.length > 0 && (
        <div className="table-wrap">
          {/* On phones each call is a card (table--stack) rather than a table wider than the
              screen; the explicit roles keep the table semantics when display changes. */}
          <table className="table--stack" role="table">
            <thead role="rowgroup">
              <tr role="row">
                <th scope="col" role="columnheader">
                  When
                </th>
                <th scope="col" role="columnheader">
                  Caller
                </th>
                <th scope="col" role="columnheader">
                  Outcome
                </th>
                <th scope="col" role="columnheader">
                  Answered by
                </th>
                <th scope="col" role="columnheader">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody role="rowgroup">
              {calls.map((c) => (
                <tr key={c.id} role="row" data-call-id={c.id}>
                  <td role="cell" data-label="When">
                    {new Date(c.created_at).toLocaleTimeString([], {
                      hour: '2-digit',
                      minute: '2-digit',
                    })}
                  </td>
                  <td role="cell" data-label="Caller">
                    {partyName(c.caller)}
                  </td>
                  <td role="cell" data-label="Outcome">
                    <span className={`pill pill--${c.state}`} data-state={c.state}>
                      {outcomeText(c)}
                    </span>
                  </td>
                  <td role="cell" data-label="Answered by">
                    {c.staff ? partyName(c.staff) : '–'}
                  </td>
                  <td role="cell" data-label="Duration">
                    {c.active_at && c.ended_at
                      ? formatDuration(Date.parse(c.ended_at) - Date.parse(c.active_at))
                      : '–'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
