import { useEffect, useRef } from 'react';
import { partyName, type Call } from '@switchboard/client';
import { useCountdown } from '@switchboard/react';

export interface IncomingCallModalProps {
  calls: Call[];
  clockOffsetMs: number;
  ringtone: string;
  busy: boolean;
  onAccept: (id: string) => void;
  onDecline: (id: string) => void;
  /** A click that lets the browser play the ringtone (offered while it is blocked). */
  onEnableSound: () => void;
}

/**
 * The ringing call (the oldest first, with a count of the others), a countdown to its ring
 * deadline, and Accept / Decline. The SDK removes the call at the deadline even without an
 * update from the server, so this closes by itself.
 */
export function IncomingCallModal({
  calls,
  clockOffsetMs,
  ringtone,
  busy,
  onAccept,
  onDecline,
  onEnableSound,
}: IncomingCallModalProps) {
  const call = calls[0];
  const left = useCountdown(call?.ring_deadline ?? null, clockOffsetMs);
  const acceptRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    acceptRef.current?.focus();
  }, [call?.id]);
  if (!call) return null;
  const name = partyName(call.caller);
  return (
    <div className="modal-backdrop">
      <div
        ref={dialogRef}
        className="modal modal--incoming"
        role="alertdialog"
        onKeyDown={(e) => {
          // Keep keyboard focus inside the dialog while it rings.
          if (e.key !== 'Tab') return;
          const buttons =
            dialogRef.current?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)');
          if (!buttons?.length) return;
          const first = buttons[0];
          const last = buttons[buttons.length - 1];
          if (e.shiftKey && document.activeElement === first) {
            e.preventDefault();
            last.focus();
          } else if (!e.shiftKey && document.activeElement === last) {
            e.preventDefault();
            first.focus();
          }
        }}
        aria-modal="true"
        aria-labelledby="incoming-title"
        aria-describedby="incoming-desc"
        data-testid="incoming-modal"
        data-call-id={call.id}
        data-ringtone={ringtone}
      >
        <div className="pulse" aria-hidden="true">
          <span className="avatar avatar--big">{name.slice(0, 1).toUpperCase()}</span>
        </div>
        <h2 id="incoming-title" data-testid="incoming-caller">
          {name} is calling
        </h2>
        <p id="incoming-desc" className="muted">
          {left !== null ? (
            <span data-testid="incoming-countdown">
              Rings for {left} more second{left === 1 ? '' : 's'}
            </span>
          ) : (
            'Incoming video call'
          )}
          {calls.length > 1 && ` · ${calls.length - 1} more waiting`}
        </p>
        {ringtone === 'blocked' && (
          <div className="note note--action" data-testid="incoming-sound-blocked">
            <span>The browser is keeping the ringtone silent.</span>
            <button
              type="button"
              className="btn btn--ghost btn--small"
              onClick={onEnableSound}
              data-testid="incoming-enable-sound"
            >
              Turn on sound
            </button>
          </div>
        )}
        {ringtone === 'other-tab' && (
          <p className="note">The ringtone is playing in another tab.</p>
        )}
        <div className="modal__actions">
          <button
            type="button"
            className="btn btn--danger"
            onClick={() => onDecline(call.id)}
            disabled={busy}
            data-testid="decline-button"
          >
            Decline
          </button>
          <button
            ref={acceptRef}
            type="button"
            className="btn btn--call"
            onClick={() => onAccept(call.id)}
            disabled={busy}
            data-testid="accept-button"
          >
            Accept
          </button>
        </div>
      </div>
    </div>
  );
}
