import type { QueueSpot } from '@switchboard/client';
import { VideoTile } from '../VideoTile/VideoTile';

/** Rounds an estimate to what a person waiting cares about: under a minute, or whole minutes. */
export function waitText(seconds: number | null): string {
  if (seconds === null) return 'We will tell you how long shortly.';
  if (seconds < 60) return 'Less than a minute to go.';
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? 'About 1 minute to go.' : `About ${minutes} minutes to go.`;
}

export interface QueueWaitProps {
  spot: QueueSpot | undefined;
  local: MediaStream | null;
  onLeave: () => void;
}

/** The caller's screen while their call waits in the queue (CONTRACT 11.2), updated live. */
export function QueueWait({ spot, local, onLeave }: QueueWaitProps) {
  return (
    <section className="card calling" aria-labelledby="queue-title" data-testid="queue-wait">
      <div className="calling__preview">
        <VideoTile stream={local} muted mirrored label="Your camera" testId="local-preview" />
      </div>
      <div className="calling__text">
        <h2 id="queue-title">Everyone is busy right now</h2>
        <p role="status" aria-live="polite" data-testid="queue-position">
          {spot
            ? spot.position === 1
              ? 'You are next in line.'
              : `You are number ${spot.position} in line.`
            : 'You are in line.'}{' '}
          <span data-testid="queue-estimate">{waitText(spot?.estimated_wait_s ?? null)}</span>
        </p>
        <p className="muted">
          Stay on this page: we will ring you through as soon as someone is free.
        </p>
        <button type="button" className="button" data-testid="leave-queue" onClick={onLeave}>
          Leave the queue
        </button>
      </div>
    </section>
  );
}
