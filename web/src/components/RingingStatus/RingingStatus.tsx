import { formatDuration, type RingbackState } from '@switchboard/client';
import { useNow } from '@switchboard/react';

/**
 * Under "Calling…": how long it has been ringing, and the ringback tone's switch. When the
 * browser keeps sound off (a reload during the ring), says so with a button that turns it on.
 */
export function RingingStatus({
  since,
  clockOffsetMs,
  ringback,
  ringbackOn,
  onToggleRingback,
  onEnableSound,
}: {
  /** When the call was placed (server time, ISO). */
  since: string;
  /** Server clock minus this one. */
  clockOffsetMs: number;
  ringback: RingbackState;
  ringbackOn: boolean;
  onToggleRingback: () => void;
  onEnableSound: () => void;
}) {
  const now = useNow(500);
  const elapsed = formatDuration(now - (Date.parse(since) - clockOffsetMs));
  return (
    <div className="ringing-status">
      {/* Not a live region: a ticking clock read aloud every second would drown the page. */}
      <p className="ringing-status__elapsed" data-testid="calling-elapsed">
        Ringing for <span className="ringing-status__time">{elapsed}</span>
      </p>
      <button
        type="button"
        className="btn btn--ghost btn--small"
        aria-pressed={ringbackOn}
        onClick={onToggleRingback}
        data-testid="ringback-toggle"
      >
        Ringing tone {/* The state is aria-pressed for assistive tech; this word is for the eye. */}
        <span className="ringing-status__state" aria-hidden="true">
          {ringbackOn ? 'on' : 'off'}
        </span>
      </button>
      {ringbackOn && ringback === 'blocked' && (
        <p className="note note--action" data-testid="ringback-blocked">
          <span>Your browser keeps the ringing tone silent until you click on this page.</span>
          <button type="button" className="btn btn--ghost btn--small" onClick={onEnableSound}>
            Turn on sound
          </button>
        </p>
      )}
    </div>
  );
}
