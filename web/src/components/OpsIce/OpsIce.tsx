import { formatPercent, type OpsSummary } from '@switchboard/client';

export interface OpsIceProps {
  /** Shown until the first answer. */
  pendingText?: string;
  summary: OpsSummary | null;
}

/** How often media connected (ICE), and how much of it had to go through the TURN relay. */
export function OpsIce({ summary, pendingText = 'Loading…' }: OpsIceProps) {
  const ice = summary?.ice;
  const attempts = ice ? ice.connected + ice.failed : 0;
  return (
    <section
      className="card ops-card ops__ice"
      aria-labelledby="ice-title"
      aria-busy={!summary}
      data-testid="ops-ice"
    >
      <h2 id="ice-title" className="h3">
        Media connections
      </h2>
      {!ice && <p className="muted">{pendingText}</p>}
      {ice && attempts === 0 && (
        <p className="empty" data-testid="ice-empty">
          No media connections in the last hour.
        </p>
      )}
      {ice && attempts > 0 && (
        <dl className="tiles tiles--two">
          <div className="tile" data-testid="ice-success" data-value={ice.successRate ?? ''}>
            <dt>ICE success</dt>
            <dd>
              <span className="tile__value">{formatPercent(ice.successRate)}</span>
              <span className="tile__share muted small">
                {ice.connected} connected, {ice.failed} failed
              </span>
            </dd>
          </div>
          <div className="tile" data-testid="ice-turn" data-value={ice.turnShare ?? ''}>
            <dt>Through TURN relay</dt>
            <dd>
              <span className="tile__value">{formatPercent(ice.turnShare)}</span>
              <span className="tile__share muted small">
                {ice.turnShare === null
                  ? 'No call has reported its route yet'
                  : 'of calls that reported their route'}
              </span>
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}
