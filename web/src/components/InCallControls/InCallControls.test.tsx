// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import type { MediaSnapshot } from '@switchboard/client';
import { click, get, render } from '../../testing/render';
import { InCallControls } from './InCallControls';

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

function controls(patch: Partial<MediaSnapshot> = {}) {
  const handlers = {
    onToggleMute: vi.fn(),
    onToggleCamera: vi.fn(),
    onToggleScreen: vi.fn(),
    onHangUp: vi.fn(),
  };
  const { container } = render(<InCallControls media={{ ...media, ...patch }} {...handlers} />);
  return { button: (id: string) => get(container, `[data-testid=${id}]`), container, handlers };
}

describe('InCallControls', () => {
  it('says what each switch will do, and shows which are off', () => {
    const on = controls();
    expect(on.button('mute-button').textContent).toBe('Mute');
    expect(on.button('camera-button').getAttribute('aria-pressed')).toBe('false');
    const off = controls({ micOn: false, cameraOn: false, screenSharing: true });
    expect(off.button('mute-button').textContent).toBe('Unmute');
    expect(off.button('mute-button').getAttribute('aria-pressed')).toBe('true');
    expect(off.button('camera-button').textContent).toBe('Start video');
    expect(off.button('screen-button').textContent).toBe('Stop sharing');
  });

  it('explains instead of offering screen sharing where the browser cannot share', () => {
    const { container } = controls({
      screenShare: { supported: false, reason: 'This browser cannot share a screen.' },
    });
    expect(container.querySelector('[data-testid=screen-button]')).toBeNull();
    expect(get(container, '[data-testid=screen-unsupported]').textContent).toBe(
      'This browser cannot share a screen.',
    );
  });

  it('each button calls its action', () => {
    const { button, handlers } = controls();
    click(button('mute-button'));
    click(button('camera-button'));
    click(button('screen-button'));
    click(button('hangup-button'));
    for (const fn of Object.values(handlers)) expect(fn).toHaveBeenCalledOnce();
  });
});
