import { formatPercent, formatSeconds, type OpsSummary } from '@switchboard/client';

export interface OpsIceProfilesProps {
  summary: OpsSummary | null;
}

/**
 * The ICE server profiles side by side (docs/config.md#ice-server-profiles, `--ice-profiles`): how often each one's
 * calls connected, how fast, and how many went through TURN. Hidden without profiles to compare:
 * a server without `--ice-profiles` draws only `default`.
 */
export function OpsIceProfiles({ summary }: OpsIceProfilesProps) {
  const profiles = summary?.iceProfiles ?? [];
  if (!profiles.some((p) => p.profile !== 'default' && p.profile !== 'unknown')) return null;
  return (
    <section
      className="card ops-card ops__ice-profiles"
      aria-labelledby="ice-profiles-title"
      data-testid="ops-ice-profiles"
    >
      <h2 id="ice-profiles-title" className="h3">
        ICE server profiles
      </h2>
      <div className="table-wrap" role="region" aria-label="ICE profiles table" tabIndex={0}>
        <table className="ops-table">
          <thead>
            <tr>
              <th scope="col">Profile</th>
              <th scope="col" className="num">
                Calls
              </th>
              <th scope="col" className="num">
                ICE success
              </th>
              <th scope="col" className="num">
                Connect (median)
              </th>
              <th scope="col" className="num">
                Connect (p90)
              </th>
              <th scope="col" className="num">
                Through TURN
              </th>
            </tr>
          </thead>
          <tbody>
            {profiles.map((p) => (
              <tr
                key={p.profile}
                data-testid={`ice-profile-${p.profile}`}
                data-success={p.successRate ?? ''}
                data-turn={p.turnShare ?? ''}
              >
                <th scope="row">{p.profile}</th>
                <td className="num">{p.accepted}</td>
                <td className="num">
                  {formatPercent(p.successRate)}
                  <span className="muted small block">
                    {p.connected} connected, {p.failed} failed
                  </span>
                </td>
                <td className="num">{formatSeconds(p.connect.p50)}</td>
                <td className="num">{formatSeconds(p.connect.p90)}</td>
                <td className="num">{formatPercent(p.turnShare)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        Each accepted call draws one profile by weight; the last hour, per profile.
      </p>
    </section>
  );
}
