import { useEffect, useRef, useState, type ReactNode } from 'react';
import {
  type CallSnapshot,
  type CameraProblem,
  CallPhase,
  type MediaSnapshot,
  formatDuration,
} from '@switchboard/client';
import { connectionVerdict, routeWords, VERDICT_WORDS } from '../connectionQuality';
import { useCountUp } from './useCountUp';
import { VideoTile } from '../VideoTile/VideoTile';
import { Icon } from '../Icon/Icon';
import { InCallControls, type InCallControlsProps } from '../InCallControls/InCallControls';

export interface CallRoomProps extends Omit<InCallControlsProps, 'media'> {
  call: CallSnapshot;
  phase: CallPhase;
  media: MediaSnapshot;
  otherName: string;
  /** Device pickers, shown under "Devices". */
  devices?: ReactNode;
  /** Staff see the route's technical name (host, srflx, relay) next to its plain words. */
  technicalRoute?: boolean;
}

const CAMERA_PROBLEM_TEXT: Record<CameraProblem, string> = {
  blocked: 'Your camera is blocked, so this call is audio only.',
  missing: 'No camera was found, so this call is audio only.',
  busy: 'Your camera is being used by another app, so this call is audio only.',
};

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const WARNING_TEXT: Record<string, string> = {
  high_rtt: 'The connection is slow: there may be delays.',
  packet_loss: 'The connection is losing data: audio or video may break up.',
};

/**
 * Remote and local video, a reconnecting banner, a stats overlay, and the controls. When it
 * opens (after Accept, or once the call connects) the room is scrolled into view and keyboard
 * focus goes to Mute, so the controls are one key away.
 */
export function CallRoom({
  call,
  phase,
  media,
  otherName,
  devices,
  technicalRoute = false,
  ...controls
}: CallRoomProps) {
  const roomRef = useRef<HTMLElement>(null);
  useEffect(() => {
    const room = roomRef.current;
    if (!room) return;
    const box = room.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) room.scrollIntoView?.({ block: 'start' });
    room.querySelector<HTMLElement>('[data-testid=mute-button]')?.focus({ preventScroll: true });
  }, []);
  const [showStats, setShowStats] = useState(false);
  const [showDevices, setShowDevices] = useState(false);
  const elapsed = useCountUp(call.active_at ?? call.accepted_at);
  const stats = media.stats;
  const latest = stats?.latest;
  const remote = media.remoteMedia;
  const verdict = connectionVerdict(latest?.rtt_ms, latest?.packet_loss_pct);
  const route = routeWords(latest?.candidate_type);
  return (
    <section
      ref={roomRef}
      className="room"
      aria-label={`Call with ${otherName}`}
      data-testid="call-room"
      data-phase={phase}
    >
      <header className="room__bar">
        <div>
          <h2 className="room__title">{otherName}</h2>
          <span className="sr-only" role="status">
            {phase === CallPhase.Connecting && 'Connecting'}
            {phase === CallPhase.Connected && `Connected to ${otherName}`}
            {phase === CallPhase.Reconnecting && 'Connection lost, reconnecting'}
          </span>
          <p className="room__status" data-testid="call-status">
            {phase === CallPhase.Connecting && 'Connecting…'}
            {phase === CallPhase.Connected && `Connected · ${formatDuration(elapsed)}`}
            {phase === CallPhase.Connected && verdict && (
              <span data-testid="connection-quality" data-verdict={verdict}>
                {' '}
                · {VERDICT_WORDS[verdict]}
              </span>
            )}
            {phase === CallPhase.Reconnecting && 'Reconnecting…'}
            {phase === CallPhase.RequestingPermission && 'Starting your camera…'}
          </p>
        </div>
        <div className="room__tools">
          {devices && (
            <button
              type="button"
              className="btn btn--ghost btn--small"
              aria-expanded={showDevices}
              aria-controls="device-panel"
              onClick={() => setShowDevices((s) => !s)}
              data-testid="devices-toggle"
            >
              Devices
            </button>
          )}
          <button
            type="button"
            className="btn btn--ghost btn--small"
            aria-expanded={showStats}
            aria-controls="stats-overlay"
            onClick={() => setShowStats((s) => !s)}
            data-testid="stats-toggle"
          >
            {showStats ? 'Hide stats' : 'Stats'}
          </button>
        </div>
      </header>

      {media.remoteLeft && (
        <div className="banner banner--warning" role="alert" data-testid="remote-left-banner">
          {otherName} left the call. It ends in a few seconds unless they come back.
        </div>
      )}
      {media.cameraProblem && (
        <div className="banner banner--info" role="status" data-testid="audio-only-banner">
          {CAMERA_PROBLEM_TEXT[media.cameraProblem]} {otherName} sees your initial instead.
        </div>
      )}
      {phase === CallPhase.Reconnecting && !media.remoteLeft && (
        <div className="banner banner--warning" role="alert" data-testid="reconnecting-banner">
          Connection lost. Reconnecting… Stay on the call.
        </div>
      )}
      {stats?.warnings.map((w) => (
        <div key={w} className="banner banner--info" role="status" data-testid={`warning-${w}`}>
          {WARNING_TEXT[w]}
        </div>
      ))}

      <div className="room__stage">
        <div className="room__remote">
          <VideoTile
            stream={media.remote}
            label={`Video of ${otherName}`}
            className="video--remote"
            testId="remote-video"
            fitToFrame
          />
          {!remote.video && (
            <div className="room__placeholder" data-testid="remote-camera-off">
              <span className="avatar" aria-hidden="true">
                {otherName.slice(0, 1).toUpperCase()}
              </span>
              <span>{otherName}’s camera is off</span>
            </div>
          )}
          {!media.remote && phase !== CallPhase.Reconnecting && (
            <div className="room__waiting">Waiting for video…</div>
          )}
          <ul className="room__badges" aria-label="Their status">
            {!remote.audio && (
              <li className="badge badge--muted" data-testid="remote-muted">
                <Icon name="micOff" size={16} /> {otherName} is muted
              </li>
            )}
            {remote.screen && (
              <li className="badge" data-testid="remote-screen">
                <Icon name="screen" size={16} /> Sharing their screen
              </li>
            )}
          </ul>
        </div>
        <div className="room__local">
          <VideoTile
            stream={media.local}
            muted
            mirrored={!media.screenSharing}
            label="Your video"
            className="video--local"
            testId="local-video"
          />
          {!media.cameraOn && (
            <div className="room__local-off">
              {media.cameraProblem ? 'Audio only' : 'Camera off'}
            </div>
          )}
        </div>
      </div>

      {showDevices && devices && (
        <div className="room__devices" id="device-panel" data-testid="device-panel">
          {devices}
        </div>
      )}

      {showStats && (
        <dl className="stats" id="stats-overlay" data-testid="stats-overlay">
          <div>
            <dt>Received</dt>
            <dd data-testid="bytes-in" data-bytes={stats?.bytesReceived ?? 0}>
              {formatBytes(stats?.bytesReceived ?? 0)}
            </dd>
          </div>
          <div>
            <dt>Sent</dt>
            <dd data-testid="bytes-out" data-bytes={stats?.bytesSent ?? 0}>
              {formatBytes(stats?.bytesSent ?? 0)}
            </dd>
          </div>
          <div>
            <dt>Round trip</dt>
            <dd>{latest?.rtt_ms != null ? `${latest.rtt_ms} ms` : '–'}</dd>
          </div>
          <div>
            <dt>Jitter</dt>
            <dd>{latest?.jitter_ms != null ? `${latest.jitter_ms} ms` : '–'}</dd>
          </div>
          <div>
            <dt>Loss</dt>
            <dd>{latest?.packet_loss_pct != null ? `${latest.packet_loss_pct} %` : '–'}</dd>
          </div>
          <div>
            <dt>Audio in / out</dt>
            <dd>
              {latest
                ? `${latest.bitrate_kbps.audio_in} / ${latest.bitrate_kbps.audio_out} kbit/s`
                : '–'}
            </dd>
          </div>
          <div>
            <dt>Video in / out</dt>
            <dd>
              {latest
                ? `${latest.bitrate_kbps.video_in} / ${latest.bitrate_kbps.video_out} kbit/s`
                : '–'}
            </dd>
          </div>
          <div>
            <dt>Connection</dt>
            <dd>{verdict ? VERDICT_WORDS[verdict] : '–'}</dd>
          </div>
          <div>
            <dt>Route</dt>
            <dd data-testid="route" data-candidate-type={latest?.candidate_type ?? ''}>
              {route ?? '–'}
              {technicalRoute && latest?.candidate_type && ` (${latest.candidate_type})`}
            </dd>
          </div>
        </dl>
      )}

      <InCallControls media={media} {...controls} />
    </section>
  );
}
