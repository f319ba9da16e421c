import { Header } from '../app/Header';
import { navigate } from '../app/router';
import { claims, getToken, type Claims } from '../app/session';
import { useOpsMonitor, useOpsSnapshot } from '@switchboard/react';
import { type OpsMonitor, presenceOf } from '@switchboard/client';
import { LiveCalls } from '../components/LiveCalls/LiveCalls';
import { StaffBoard } from '../components/StaffBoard/StaffBoard';
import { OpsFunnel } from '../components/OpsFunnel/OpsFunnel';
import { OpsQueue } from '../components/OpsQueue/OpsQueue';
import { OpsTimings } from '../components/OpsTimings/OpsTimings';
import { OpsIce } from '../components/OpsIce/OpsIce';
import { OpsIceProfiles } from '../components/OpsIceProfiles/OpsIceProfiles';
import { OpsFeedback } from '../components/OpsFeedback/OpsFeedback';
import { WorstCalls } from '../components/WorstCalls/WorstCalls';

/** The ops dashboard (`/ops`), for admins: live calls, the staff board, the last hour. */
export function OpsPage() {
  const c = claims();
  if (c?.role !== 'admin') return <AdminsOnly who={c} />;
  return <OpsDashboard />;
}

function AdminsOnly({ who }: { who: Claims | null }) {
  const home = who?.role === 'client' ? '/client' : '/staff';
  return (
    <div className="page" data-testid="ops-page" data-access="forbidden">
      <Header />
      <main className="main main--narrow" id="main">
        <section className="card" data-testid="ops-admins-only" aria-labelledby="ops-denied-title">
          <h1 id="ops-denied-title">Operations is for admins only</h1>
          <p>
            The operations dashboard shows the whole organisation’s calls and staff, so only admins
            can open it.
            {who && (
              <>
                {' '}
                You are signed in as {who.name || who.sub} ({who.role}).
              </>
            )}
          </p>
          <p className="muted">If you need it, ask an admin of your organisation for access.</p>
          <a
            className="btn btn--primary"
            href={home}
            onClick={(e) => {
              e.preventDefault();
              navigate(home);
            }}
          >
            {who?.role === 'client' ? 'Back to calls' : 'Back to the staff console'}
          </a>
        </section>
      </main>
    </div>
  );
}

function OpsDashboard() {
  const monitor = useOpsMonitor(getToken);
  if (!monitor) return null;
  return <Dashboard monitor={monitor} />;
}

function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

function Dashboard({ monitor }: { monitor: OpsMonitor }) {
  const s = useOpsSnapshot(monitor);
  if (s.access === 'forbidden') return <AdminsOnly who={claims()} />;
  const meId = s.me?.id ?? claims()?.sub ?? null;
  const me = s.staff?.find((e) => e.id === meId) ?? null;
  const pendingText = s.error ? 'Not loaded yet: see the message above.' : 'Loading…';
  return (
    <div className="page" data-testid="ops-page" data-access={s.access}>
      <Header signaling={s.signaling} />
      <main className="ops" id="main">
        <div className="ops__head">
          <div>
            <h1>Operations</h1>
            <p className="muted small" data-testid="ops-updated">
              Live now, and the last hour.{' '}
              {s.refreshedAt
                ? `Updated ${clockTime(s.refreshedAt)}, refreshes every few seconds.`
                : 'Loading…'}
            </p>
          </div>
          <button
            type="button"
            className="btn btn--ghost btn--small"
            onClick={() => void monitor.refresh()}
            data-testid="ops-refresh"
          >
            Refresh now
          </button>
        </div>
        {s.error && (
          <p className="error ops__error" role="alert" data-testid="ops-error">
            Could not refresh: {s.error.friendly}
            {s.refreshedAt ? ` Showing what was known at ${clockTime(s.refreshedAt)}.` : ''}
          </p>
        )}
        {me && presenceOf(me) === 'available' && (
          <p className="note" data-testid="ops-you-available">
            You are available for calls: calls that ring you can be answered in the{' '}
            <a
              href="/staff"
              onClick={(e) => {
                e.preventDefault();
                navigate('/staff');
              }}
            >
              staff console
            </a>
            , not here.
          </p>
        )}
        <div className="ops__grid">
          <LiveCalls
            pendingText={pendingText}
            calls={s.liveCalls}
            truncated={s.liveTruncated}
            clockOffsetMs={s.clockOffsetMs}
          />
          <StaffBoard pendingText={pendingText} staff={s.staff} myId={meId} />
          <OpsFunnel pendingText={pendingText} summary={s.summary} />
          <OpsTimings pendingText={pendingText} summary={s.summary} />
          <OpsQueue pendingText={pendingText} summary={s.summary} liveLength={s.queueLength} />
          <OpsIce pendingText={pendingText} summary={s.summary} />
          <OpsIceProfiles summary={s.summary} />
          <OpsFeedback pendingText={pendingText} summary={s.summary} />
          <WorstCalls pendingText={pendingText} calls={s.summary?.worstCalls ?? null} />
        </div>
      </main>
    </div>
  );
}
