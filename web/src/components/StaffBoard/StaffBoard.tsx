import { boardCounts, presenceOf, type StaffEntry, type StaffStatus } from '@switchboard/client';
import { STAFF_STATE_TEXT } from '../staffStateText';

export interface StaffBoardProps {
  /** Shown until the first answer. */
  pendingText?: string;
  /** Sorted for the board; null while loading. */
  staff: StaffEntry[] | null;
  myId: string | null;
}

const PRESENCE_TEXT: Record<StaffStatus, string> = {
  available: 'Available',
  away: 'Away',
  offline: 'Offline',
};

function activity(e: StaffEntry): string {
  // Someone offline and idle is doing nothing the system knows of: say nothing rather than "waiting".
  if (presenceOf(e) !== 'available' && e.state === 'idle') return '–';
  return STAFF_STATE_TEXT[e.state] ?? e.state;
}

function since(iso: string | null): string | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  return new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Every staff member of the org with their chosen status and the system's state, live. */
export function StaffBoard({ staff, myId, pendingText = 'Loading…' }: StaffBoardProps) {
  const c = staff ? boardCounts(staff) : null;
  return (
    <section
      className="card ops-card ops__staff"
      aria-labelledby="staff-title"
      aria-busy={staff === null}
      data-testid="staff-board"
    >
      <div className="ops-card__head">
        <h2 id="staff-title" className="h3">
          Staff
        </h2>
        {c && c.total > 0 && (
          <p className="muted small ops-card__meta" data-testid="staff-counts">
            {c.free} free · {c.inCall} in a call · {c.ringing} ringing · {c.away} away · {c.offline}{' '}
            offline
          </p>
        )}
      </div>
      {staff === null && <p className="muted">{pendingText}</p>}
      {staff?.length === 0 && (
        <p className="empty" data-testid="staff-board-empty">
          No staff have signed in yet.
        </p>
      )}
      {staff && staff.length > 0 && (
        <div className="table-wrap" role="region" aria-label="Staff table" tabIndex={0}>
          <table className="ops-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Activity</th>
              </tr>
            </thead>
            <tbody>
              {staff.map((e) => {
                const p = presenceOf(e);
                // `since` is when they chose their status: meaningless once the connection is gone.
                const at = e.connected ? since(e.since) : null;
                return (
                  <tr
                    key={e.id}
                    data-testid={`staff-row-${e.id}`}
                    data-status={p}
                    data-state={e.state}
                  >
                    <th scope="row">
                      {e.name || e.id}
                      {e.id === myId && <span className="muted"> (you)</span>}
                    </th>
                    <td>
                      <span className="status-line">
                        <span className={`dot dot--${p}`} aria-hidden="true" />
                        {/* Connected but chose "offline": say what it means, not "Offline"
                            next to a header that says "Online". */}
                        {p === 'offline' && e.connected ? 'Not taking calls' : PRESENCE_TEXT[p]}
                      </span>
                      <span className="muted small block">
                        {e.connected ? (at ? `since ${at}` : '') : 'not connected'}
                      </span>
                    </td>
                    <td>
                      <span className={`activity activity--${e.state}`}>{activity(e)}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
