import { useEffect, useState } from 'react';
import { type SwitchboardClient, type DeviceLists, stopStream } from '@switchboard/client';
import { useMedia, useMicLevel } from '@switchboard/react';
import { VideoTile } from '../VideoTile/VideoTile';
import { Icon } from '../Icon/Icon';

export type PromptMode = 'explain' | 'denied' | 'check';

export interface DevicePermissionPromptProps {
  client: SwitchboardClient;
  mode: PromptMode;
  /** What the person is about to do, e.g. "start your call". */
  purpose: string;
  onAllow: () => void;
  onCancel: () => void;
  errorText?: string | null;
}

function browserName(): 'chrome' | 'firefox' | 'safari' | 'edge' | 'other' {
  const ua = typeof navigator !== 'undefined' ? navigator.userAgent : '';
  if (/Edg\//.test(ua)) return 'edge';
  if (/Firefox\//.test(ua)) return 'firefox';
  if (/Chrome\/|Chromium\//.test(ua)) return 'chrome';
  if (/Safari\//.test(ua)) return 'safari';
  return 'other';
}

function HelpSteps() {
  const b = browserName();
  const steps: Record<typeof b, string[]> = {
    chrome: [
      'Click the camera icon (or the tune icon) at the left of the address bar.',
      'Set Camera and Microphone to “Allow”.',
      'Click “Try again” below (or reload the page).',
    ],
    edge: [
      'Click the lock icon at the left of the address bar, then “Permissions for this site”.',
      'Set Camera and Microphone to “Allow”.',
      'Come back and click “Try again”.',
    ],
    firefox: [
      'Click the crossed-out camera icon at the left of the address bar.',
      'Remove the “Blocked” entries for camera and microphone.',
      'Click “Try again” and choose “Allow” when Firefox asks.',
    ],
    safari: [
      'Open Safari › Settings for This Website (or Settings › Websites).',
      'Set Camera and Microphone to “Allow”.',
      'Reload the page and click “Try again”.',
    ],
    other: [
      'Open your browser’s site settings for this page.',
      'Allow the camera and the microphone.',
      'Reload the page and click “Try again”.',
    ],
  };
  return (
    <ol className="steps" data-testid="permission-help">
      {steps[b].map((s) => (
        <li key={s}>{s}</li>
      ))}
      <li>
        Still blocked? Your computer may block the browser itself: on macOS check System Settings ›
        Privacy &amp; Security › Camera and Microphone; on Windows, Settings › Privacy › Camera and
        Microphone. Close other apps that use the camera.
      </li>
    </ol>
  );
}

/** Camera and microphone pickers; switching applies at once, mid-call too. */
export function DevicePickers({
  client,
  lists,
}: {
  client: SwitchboardClient;
  lists: DeviceLists;
}) {
  const media = useMedia(client);
  return (
    <>
      <label className="field">
        <span>Camera</span>
        <select
          value={media.videoDeviceId ?? ''}
          onChange={(e) => void client.selectDevice('videoinput', e.target.value)}
          data-testid="camera-select"
        >
          <option value="">Default camera</option>
          {lists.videoinput.map((d, i) => (
            <option key={d.deviceId || i} value={d.deviceId}>
              {d.label || `Camera ${i + 1}`}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Microphone</span>
        <select
          value={media.audioDeviceId ?? ''}
          onChange={(e) => void client.selectDevice('audioinput', e.target.value)}
          data-testid="mic-select"
        >
          <option value="">Default microphone</option>
          {lists.audioinput.map((d, i) => (
            <option key={d.deviceId || i} value={d.deviceId}>
              {d.label || `Microphone ${i + 1}`}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}

/** Live preview, microphone meter and device pickers. */
function DeviceCheck({ client }: { client: SwitchboardClient }) {
  const media = useMedia(client);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [lists, setLists] = useState<DeviceLists>(client.devices.lists);
  const [error, setError] = useState<string | null>(null);
  const level = useMicLevel(stream);

  useEffect(() => client.devices.on('devices', setLists), [client]);
  useEffect(() => {
    let live = true;
    let mine: MediaStream | null = null;
    client.previewStream().then(
      (s) => {
        if (!live) return stopStream(s);
        mine = s;
        setStream(s);
        setError(null);
        void client.devices.refresh();
      },
      (e: unknown) => live && setError((e as Error).message),
    );
    return () => {
      live = false;
      stopStream(mine);
    };
  }, [client, media.audioDeviceId, media.videoDeviceId]);

  return (
    <div className="device-check" data-testid="device-check">
      <div className="device-check__preview">
        <VideoTile stream={stream} muted mirrored label="Camera preview" testId="camera-preview" />
      </div>
      <div className="device-check__controls">
        <DevicePickers client={client} lists={lists} />
        <div className="field">
          <span id="mic-level-label">Microphone level</span>
          <div
            className="meter"
            role="meter"
            aria-labelledby="mic-level-label"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(level * 100)}
            data-testid="mic-meter"
          >
            <div className="meter__bar" style={{ width: `${Math.round(level * 100)}%` }} />
          </div>
          <span className="muted small">Say something: the bar should move.</span>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}

/**
 * Explains why we need the camera and microphone before the browser asks; after a refusal, says
 * step by step how to allow them; in "check" mode, shows a preview, a level meter and pickers.
 */
export function DevicePermissionPrompt({
  client,
  mode,
  purpose,
  onAllow,
  onCancel,
  errorText,
}: DevicePermissionPromptProps) {
  if (mode === 'check') {
    return (
      <section
        className="card prompt"
        aria-labelledby="check-title"
        data-testid="device-check-card"
      >
        <h2 id="check-title">Check your camera and microphone</h2>
        <DeviceCheck client={client} />
        <div className="prompt__actions">
          <button
            type="button"
            className="btn btn--ghost"
            onClick={onCancel}
            data-testid="device-check-done"
          >
            Done
          </button>
        </div>
      </section>
    );
  }
  if (mode === 'denied') {
    return (
      <section
        className="card prompt prompt--denied"
        aria-labelledby="denied-title"
        data-testid="permission-denied"
        role="alert"
      >
        {/* Only the microphone stops a call (without a camera it goes on audio-only), so this
            screen means the microphone could not be had; the camera may be fine. */}
        <h2 id="denied-title">We can’t use your microphone</h2>
        <p>
          {errorText ?? 'Your browser did not let this page use your microphone.'} A call needs at
          least your microphone. To {purpose}:
        </p>
        <HelpSteps />
        <div className="prompt__actions">
          <button type="button" className="btn btn--ghost" onClick={onCancel}>
            Not now
          </button>
          <button
            type="button"
            className="btn btn--primary"
            onClick={onAllow}
            data-testid="permission-retry"
          >
            Try again
          </button>
        </div>
      </section>
    );
  }
  return (
    <section
      className="card prompt"
      aria-labelledby="explain-title"
      data-testid="permission-explain"
    >
      <div className="prompt__icon" aria-hidden="true">
        <Icon name="cam" size={32} /> <Icon name="mic" size={32} />
      </div>
      <h2 id="explain-title">Allow your camera and microphone</h2>
      <p>
        To {purpose}, we need your camera and microphone. Your browser will ask you next: choose{' '}
        <strong>Allow</strong>. Nothing is recorded, and the camera turns off when the call ends.
      </p>
      <div className="prompt__actions">
        <button
          type="button"
          className="btn btn--ghost"
          onClick={onCancel}
          data-testid="permission-cancel"
        >
          Cancel
        </button>
        <button
          type="button"
          className="btn btn--primary"
          onClick={onAllow}
          data-testid="permission-allow"
          autoFocus
        >
          Allow camera and microphone
        </button>
      </div>
    </section>
  );
}
