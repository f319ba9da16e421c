// @vitest-environment happy-dom
/** The room: status by phase, the remote side's switches, warnings, the stats overlay. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallPhase, type MediaSnapshot } from '@switchboard/client';
import { makeCall } from '../../../packages/client/src/test/fakes';
import { click, get, render, update } from '../../testing/render';
import { CallRoom } from './CallRoom';

const media: MediaSnapshot = {
  local: null,
  remote: null,
  micOn: true,
  cameraOn: true,
  screenSharing: false,
  remoteMedia: { audio: true, video: true, screen: false },
  screenShare: { supported: true, reason: null },
  stats: null,
  audioDeviceId: null,
  videoDeviceId: null,
  permission: 'granted',
  acquiring: false,
  cameraProblem: null,
  remoteLeft: false,
};

const active = makeCall({
  state: 'active',
  staff: { id: 'st-1', name: 'Ana' },
  accepted_at: '2026-11-23T21:00:05.000Z',
  active_at: '2026-11-23T21:00:10.000Z',
});

function room(phase: CallPhase, patch: Partial<MediaSnapshot> = {}, devices?: string) {
  const noop = () => undefined;
  return render(
    <CallRoom
      call={active}
      phase={phase}
      media={{ ...media, ...patch }}
      otherName="Ana"
      devices={devices}
      onToggleMute={noop}
      onToggleCamera={noop}
      onToggleScreen={noop}
      onHangUp={noop}
    />,
  );
}

const testId = (root: HTMLElement, id: string) => root.querySelector(`[data-testid=${id}]`);

describe('CallRoom', () => {
  beforeEach(() =>
    vi.useFakeTimers({
      now: Date.parse('2026-11-23T21:01:15.000Z'),
      toFake: ['setInterval', 'clearInterval', 'Date'],
    }),
  );
  afterEach(() => vi.useRealTimers());

  it('says where the call is, with the talk time once connected', () => {
    expect(get(room(CallPhase.Connecting).container, '[data-testid=call-status]').textContent).toBe(
      'Connecting…',
    );
    const { container } = room(CallPhase.Connected);
    const status = () => get(container, '[data-testid=call-status]').textContent;
    expect(status()).toBe('Connected · 1:05');
    update(() => vi.advanceTimersByTime(1000));
    expect(status()).toBe('Connected · 1:06');
  });

  it('warns while reconnecting, and names what the connection suffers from', () => {
    const { container } = room(CallPhase.Reconnecting, {
      stats: {
        latest: null,
        warnings: ['packet_loss'],
        bytesReceived: 0,
        bytesSent: 0,
        samples: 1,
      },
    });
    expect(testId(container, 'reconnecting-banner')).not.toBeNull();
    expect(testId(container, 'warning-packet_loss')?.textContent).toBe(
      'The connection is losing data: audio or video may break up.',
    );
  });

  it('shows the other side muted, camera off, or sharing a screen', () => {
    const { container } = room(CallPhase.Connected, {
      remoteMedia: { audio: false, video: false, screen: true },
    });
    expect(testId(container, 'remote-muted')?.textContent).toContain('Ana is muted');
    expect(testId(container, 'remote-camera-off')?.textContent).toContain('Ana’s camera is off');
    expect(testId(container, 'remote-screen')).not.toBeNull();
  });

  it('opens the stats overlay with readable figures', () => {
    const { container } = room(CallPhase.Connected, {
      stats: {
        latest: {
          at: '2026-11-23T21:01:14.000Z',
          rtt_ms: 42,
          jitter_ms: null,
          packet_loss_pct: 0.5,
          bitrate_kbps: { audio_in: 30, audio_out: 31, video_in: 900, video_out: 850 },
          candidate_type: 'relay',
          ice_state: 'connected',
        },
        warnings: [],
        bytesReceived: 1536,
        bytesSent: 3 * 1024 * 1024,
        samples: 4,
      },
    });
    expect(testId(container, 'stats-overlay')).toBeNull();
    click(testId(container, 'stats-toggle'));
    const overlay = get(container, '[data-testid=stats-overlay]');
    expect(get(overlay, '[data-testid=bytes-in]').textContent).toBe('2 KB');
    expect(get(overlay, '[data-testid=bytes-out]').textContent).toBe('3.0 MB');
    expect(overlay.textContent).toContain('42 ms');
    expect(overlay.textContent).toContain('0.5 %');
    expect(overlay.textContent).toContain('900 / 850 kbit/s');
    expect(get(overlay, '[data-testid=route]').textContent).toBe('Through a relay server');
    expect(get(overlay, '[data-testid=route]').dataset.candidateType).toBe('relay');
    expect(testId(container, 'connection-quality')?.textContent).toBe(' · Good connection');
    expect(testId(container, 'stats-toggle')?.textContent).toBe('Hide stats');
  });

  it('offers the device panel only when given pickers', () => {
    expect(testId(room(CallPhase.Connected).container, 'devices-toggle')).toBeNull();
    const { container } = room(CallPhase.Connected, {}, 'pickers here');
    click(testId(container, 'devices-toggle'));
    expect(testId(container, 'device-panel')?.textContent).toBe('pickers here');
  });

  it('says the other side left, and that this call is audio only', () => {
    const { container } = room(CallPhase.Connected, {
      remoteLeft: true,
      cameraProblem: 'blocked',
      cameraOn: false,
    });
    expect(testId(container, 'remote-left-banner')?.textContent).toBe(
      'Ana left the call. It ends in a few seconds unless they come back.',
    );
    expect(testId(container, 'audio-only-banner')?.textContent).toBe(
      'Your camera is blocked, so this call is audio only. Ana sees your initial instead.',
    );
  });

  it('puts keyboard focus on Mute when it opens', () => {
    const { container } = room(CallPhase.Connecting);
    expect(document.activeElement).toBe(testId(container, 'mute-button'));
  });
});
