import { partyName, CALL_STATE_TEXT, type Call, formatDuration } from '@switchboard/client';
import { useNow } from '@switchboard/react';

export interface LiveCallsProps {
  /** Shown until the first answer. */
  pendingText?: string;
  /** null while loading. */
  calls: Call[] | null;
  truncated: boolean;
  clockOffsetMs: number;
}

function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** What the timer of a live call counts: ringing since created, connecting since answered, in progress since media. */
function timerOf(c: Call): { label: string; since: string } {
  if (c.state === 'active' && c.active_at) return { label: 'Talking', since: c.active_at };
  if (c.state === 'accepted' && c.accepted_at) return { label: 'Connecting', since: c.accepted_at };
  return { label: 'Waiting', since: c.created_at };
}

/** Calls ringing, connecting or in progress right now, across the org. */
export function LiveCalls({
  calls,
  truncated,
  clockOffsetMs,
  pendingText = 'Loading…',
}: LiveCallsProps) {
  const now = useNow(1000) + clockOffsetMs;
  const counts = { ringing: 0, accepted: 0, active: 0 };
  for (const c of calls ?? []) if (c.state in counts) counts[c.state as keyof typeof counts]++;
  return (
    <section
      className="card ops-card ops__live"
      aria-labelledby="live-title"
      aria-busy={calls === null}
      data-testid="live-calls"
      data-count={calls?.length ?? ''}
    >
      <div className="ops-card__head">
        <h2 id="live-title" className="h3">
          Live calls
        </h2>
        {calls && calls.length > 0 && (
          <p className="muted small ops-card__meta">
            {counts.ringing} ringing · {counts.accepted} connecting · {counts.active} in progress
          </p>
        )}
      </div>
      {calls === null && <p className="muted">{pendingText}</p>}
      {calls?.length === 0 && (
        <p className="empty" data-testid="live-calls-empty">
          No calls right now.
        </p>
      )}
      {calls && calls.length > 0 && (
        <div className="table-wrap" role="region" aria-label="Live calls table" tabIndex={0}>
          <table className="ops-table">
            <thead>
              <tr>
                <th scope="col">Caller</th>
                <th scope="col">Status</th>
                <th scope="col">Staff</th>
                <th scope="col">For</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {calls.map((c) => {
                const t = timerOf(c);
                return (
                  <tr key={c.id} data-testid={`live-call-${c.id}`} data-state={c.state}>
                    <th scope="row">{partyName(c.caller)}</th>
                    <td>
                      <span className={`pill pill--${c.state}`}>{CALL_STATE_TEXT[c.state]}</span>
                    </td>
                    <td>{c.staff ? partyName(c.staff) : <span className="muted">–</span>}</td>
                    <td className="num">
                      <span className="sr-only">{t.label} </span>
                      {formatDuration(now - Date.parse(t.since))}
                    </td>
                    <td>{clock(c.created_at)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {truncated && <p className="muted small">Showing the first 100 calls of each state.</p>}
    </section>
  );
}
