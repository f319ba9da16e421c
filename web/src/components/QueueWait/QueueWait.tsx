import { useEffect, useRef, useState } from 'react';
import { formatDuration, type QueueSpot } from '@switchboard/client';
import { useNow } from '@switchboard/react';
import { VideoTile } from '../VideoTile/VideoTile';
import { remainingWait } from './countdown';

/** Rounds an estimate to what a person waiting cares about: under a minute, or whole minutes. */
export function waitText(seconds: number | 'overdue' | null): string {
  if (seconds === null) return 'We will tell you how long shortly.';
  if (seconds === 'overdue') return 'It is taking longer than we thought. You keep your place.';
  if (seconds < 60) return 'Less than a minute to go.';
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? 'About 1 minute to go.' : `About ${minutes} minutes to go.`;
}

export interface QueueWaitProps {
  spot: QueueSpot | undefined;
  /** When the call joined the queue (server time, ISO); absent from older servers. */
  queuedAt?: string | null;
  /** Server clock minus this one. */
  clockOffsetMs?: number;
  local: MediaStream | null;
  onLeave: () => void;
}

/**
 * The caller's screen while their call waits in the queue (docs/queue.md): the place and the
 * estimate, updated live, the estimate counting down between updates (countdown.ts).
 */
export function QueueWait({ spot, queuedAt, clockOffsetMs = 0, local, onLeave }: QueueWaitProps) {
  const now = useNow(1000);
  const estimate = spot?.estimated_wait_s ?? null;
  // Each new place or estimate restarts the countdown from when this page heard it.
  const heardKey = `${spot?.position ?? ''}/${estimate ?? ''}`;
  const [heard, setHeard] = useState(() => ({ key: heardKey, at: Date.now() }));
  if (heard.key !== heardKey) setHeard({ key: heardKey, at: Date.now() });
  const left = remainingWait(estimate, heard.at, now);
  const since = queuedAt ? Date.parse(queuedAt) - clockOffsetMs : NaN;
  const waited = Number.isFinite(since) ? formatDuration(Math.max(now - since, 0)) : null;
  // The Call button that led here is gone, and the focus with it: keyboard and screen-reader
  // users start from this card's title (read out), not from the top of the page.
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (document.activeElement === null || document.activeElement === document.body)
      title.current?.focus();
  }, []);
  return (
    <section className="card calling" aria-labelledby="queue-title" data-testid="queue-wait">
      <div className="calling__preview">
        <VideoTile stream={local} muted mirrored label="Your camera" testId="local-preview" />
      </div>
      <div className="calling__text">
        <h2 id="queue-title" ref={title} tabIndex={-1}>
          Everyone is busy right now
        </h2>
        {/* The place is announced when it changes; the ticking estimate is not (it would be read
            out every few seconds). */}
        <p role="status" aria-live="polite" data-testid="queue-position">
          {spot
            ? spot.position === 1
              ? 'You are next in line.'
              : `You are number ${spot.position} in line.`
            : 'You are in line.'}
        </p>
        <p
          className="queue-estimate"
          data-testid="queue-estimate"
          data-seconds={typeof left === 'number' ? Math.round(left) : String(left)}
        >
          {waitText(left)}
        </p>
        {waited && (
          <p className="muted small" data-testid="queue-waited">
            You have waited <span className="queue-waited__time">{waited}</span>.
          </p>
        )}
        <p className="muted">
          Stay on this page: we will ring you through as soon as someone is free.
        </p>
        <button
          type="button"
          className="btn btn--ghost"
          data-testid="leave-queue"
          onClick={onLeave}
        >
          Leave the queue
        </button>
      </div>
    </section>
  );
}
