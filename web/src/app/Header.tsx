import type { ReactNode } from 'react';
import { SignalingState } from '@switchboard/client';
import { claims, signOut } from './session';
import { navigate } from './router';

const CONN_TEXT: Record<SignalingState, string> = {
  [SignalingState.Idle]: 'Not connected',
  [SignalingState.Connecting]: 'Connecting…',
  [SignalingState.Open]: 'Online',
  [SignalingState.Reconnecting]: 'Reconnecting…',
  [SignalingState.Closed]: 'Offline',
};

/** Admins are staff too: they move between the console (taking calls) and the dashboard. */
const ADMIN_LINKS = [
  { path: '/staff', label: 'Staff console' },
  { path: '/ops', label: 'Operations' },
];

export function Header({
  signaling,
  children,
}: {
  signaling?: SignalingState;
  children?: ReactNode;
}) {
  const c = claims();
  return (
    <header className="topbar">
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <a
        className="brand"
        href="/"
        onClick={(e) => {
          e.preventDefault();
          navigate('/');
        }}
      >
        <span className="brand__mark" aria-hidden="true">
          ◉
        </span>{' '}
        Switchboard
      </a>
      {c?.role === 'admin' && (
        <nav className="topnav" aria-label="Admin">
          {ADMIN_LINKS.map((l) => (
            <a
              key={l.path}
              href={l.path}
              className="topnav__link"
              aria-current={window.location.pathname === l.path ? 'page' : undefined}
              data-testid={`nav-${l.path.slice(1)}`}
              onClick={(e) => {
                e.preventDefault();
                navigate(l.path);
              }}
            >
              {l.label}
            </a>
          ))}
        </nav>
      )}
      <div className="topbar__right">
        {children}
        {signaling && (
          <span className={`conn conn--${signaling}`} data-testid="connection-state" role="status">
            <span className="conn__dot" aria-hidden="true" />
            {CONN_TEXT[signaling]}
          </span>
        )}
        {c && (
          <span className="who">
            {c.name || c.sub} <span className="muted">· {c.role}</span>
          </span>
        )}
        {c && (
          <button
            type="button"
            className="btn btn--ghost btn--small"
            onClick={() => {
              signOut();
              navigate('/signin');
            }}
          >
            Sign out
          </button>
        )}
      </div>
    </header>
  );
}
