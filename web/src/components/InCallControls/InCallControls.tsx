import { type MediaSnapshot } from '@switchboard/client';
import { Icon } from '../Icon/Icon';

export interface InCallControlsProps {
  media: MediaSnapshot;
  onToggleMute: () => void;
  onToggleCamera: () => void;
  onToggleScreen: () => void;
  onHangUp: () => void;
}

/** Mute, camera, screen share (hidden, with the reason, where the browser cannot share), hang up. */
export function InCallControls({
  media,
  onToggleMute,
  onToggleCamera,
  onToggleScreen,
  onHangUp,
}: InCallControlsProps) {
  return (
    <div className="controls" role="toolbar" aria-label="Call controls">
      <button
        type="button"
        className={`ctl${media.micOn ? '' : ' ctl--off'}`}
        aria-pressed={!media.micOn}
        onClick={onToggleMute}
        data-testid="mute-button"
      >
        <Icon name={media.micOn ? 'mic' : 'micOff'} />
        <span>{media.micOn ? 'Mute' : 'Unmute'}</span>
      </button>
      {media.cameraProblem ? (
        // Audio-only call: nothing to switch; the room's banner says why.
        <button type="button" className="ctl ctl--off" disabled data-testid="camera-button">
          <Icon name="camOff" />
          <span>No camera</span>
        </button>
      ) : (
        <button
          type="button"
          className={`ctl${media.cameraOn ? '' : ' ctl--off'}`}
          aria-pressed={!media.cameraOn}
          onClick={onToggleCamera}
          data-testid="camera-button"
        >
          <Icon name={media.cameraOn ? 'cam' : 'camOff'} />
          <span>{media.cameraOn ? 'Stop video' : 'Start video'}</span>
        </button>
      )}
      {media.screenShare.supported ? (
        <button
          type="button"
          className={`ctl${media.screenSharing ? ' ctl--active' : ''}`}
          aria-pressed={media.screenSharing}
          onClick={onToggleScreen}
          data-testid="screen-button"
        >
          <Icon name="screen" />
          <span>{media.screenSharing ? 'Stop sharing' : 'Share screen'}</span>
        </button>
      ) : (
        <p className="ctl-note" data-testid="screen-unsupported">
          {media.screenShare.reason}
        </p>
      )}
      <button
        type="button"
        className="ctl ctl--hangup"
        onClick={onHangUp}
        data-testid="hangup-button"
      >
        <Icon name="hangup" />
        <span>Hang up</span>
      </button>
    </div>
  );
}
