import type { ReactNode } from 'react';
import { SignalingState } from '../sdk/signaling/SignalingClient';
import { claims, signOut } from './session';
import { navigate } from './router';

const CONN_TEXT: Record<SignalingState, string> = {
  [SignalingState.Idle]: 'Not connected',
  [SignalingState.Connecting]: 'Connecting…',
  [SignalingState.Open]: 'Online',
  [SignalingState.Reconnecting]: 'Reconnecting…',
  [SignalingState.Closed]: 'Offline',
};

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
