// @vitest-environment happy-dom
/** The ringing dialog: who, how long, how many more; focus and the keyboard stay inside it. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Call } from '@switchboard/client';
import { makeCall } from '../../../packages/client/src/test/fakes';
import { click, get, render, update } from '../../testing/render';
import { IncomingCallModal } from './IncomingCallModal';

const NOW = Date.parse('2026-11-23T21:00:00.000Z');

function modal(calls: Call[], over: { ringtone?: string; busy?: boolean } = {}) {
  const onAccept = vi.fn();
  const onDecline = vi.fn();
  const onEnableSound = vi.fn();
  const view = render(
    <IncomingCallModal
      calls={calls}
      clockOffsetMs={0}
      ringtone={over.ringtone ?? 'playing'}
      busy={over.busy ?? false}
      onAccept={onAccept}
      onDecline={onDecline}
      onEnableSound={onEnableSound}
    />,
  );
  return { ...view, onAccept, onDecline, onEnableSound };
}

const tab = (shiftKey = false) =>
  update(() => {
    document.activeElement?.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Tab', shiftKey, bubbles: true }),
    );
  });

describe('IncomingCallModal', () => {
  beforeEach(() =>
    vi.useFakeTimers({ now: NOW, toFake: ['setInterval', 'clearInterval', 'Date'] }),
  );
  afterEach(() => vi.useRealTimers());

  it('renders nothing without a ringing call', () => {
    const { container } = modal([]);
    expect(container.innerHTML).toBe('');
  });

  it('names the caller, counts down to the deadline, and says how many more wait', () => {
    const calls = [
      makeCall({ ring_deadline: '2026-11-23T21:00:02.000Z' }),
      makeCall({ id: 'call-2' }),
      makeCall({ id: 'call-3' }),
    ];
    const { container } = modal(calls);
    expect(get(container, '[data-testid=incoming-caller]').textContent).toBe('Carla is calling');
    const desc = () => get(container, '#incoming-desc').textContent;
    expect(desc()).toBe('Rings for 2 more seconds · 2 more waiting');
    update(() => vi.advanceTimersByTime(1000));
    expect(desc()).toBe('Rings for 1 more second · 2 more waiting');
  });

  it('says "Incoming video call" without a deadline, and offers to turn a blocked ringtone on', () => {
    const { container, onEnableSound } = modal([makeCall({ ring_deadline: null })], {
      ringtone: 'blocked',
    });
    expect(get(container, '#incoming-desc').textContent).toBe('Incoming video call');
    expect(container.textContent).toContain('The browser is keeping the ringtone silent.');
    click(get(container, '[data-testid=incoming-enable-sound]'));
    expect(onEnableSound).toHaveBeenCalledOnce();
  });

  it('focuses Accept and answers or declines the oldest call', () => {
    const { container, onAccept, onDecline } = modal([makeCall(), makeCall({ id: 'call-2' })]);
    const accept = get(container, '[data-testid=accept-button]');
    expect(document.activeElement).toBe(accept);
    click(accept);
    click(get(container, '[data-testid=decline-button]'));
    expect(onAccept).toHaveBeenCalledWith('call-1');
    expect(onDecline).toHaveBeenCalledWith('call-1');
  });

  it('keeps Tab and Shift+Tab inside the dialog', () => {
    const { container } = modal([makeCall()]);
    const accept = get(container, '[data-testid=accept-button]');
    const decline = get(container, '[data-testid=decline-button]');
    tab(); // From the last button (Accept) round to the first.
    expect(document.activeElement).toBe(decline);
    tab(true);
    expect(document.activeElement).toBe(accept);
  });

  it('disables both buttons while an answer is on its way', () => {
    const { container } = modal([makeCall()], { busy: true });
    expect(container.querySelectorAll('button:disabled')).toHaveLength(2);
  });
});
