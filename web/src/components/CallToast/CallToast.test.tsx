// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import type { Notice } from '@switchboard/client';
import { click, render } from '../../testing/render';
import { CallToast } from './CallToast';

const notices: Notice[] = [
  { id: 1, kind: 'answered', text: 'Answered by Ana', callId: 'call-1' },
  { id: 2, kind: 'error', text: 'We could not reach the server.' },
];

describe('CallToast', () => {
  it('shows each notice with its kind, politely announced', () => {
    const { container } = render(<CallToast notices={notices} onDismiss={() => undefined} />);
    const region = container.querySelector('[data-testid=toasts]')!;
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.querySelector('[data-testid=toast-answered]')?.textContent).toContain(
      'Answered by Ana',
    );
    expect(region.querySelector('[data-testid=toast-error] .toast__icon')?.textContent).toBe('!');
  });

  it('dismisses the notice whose close button was pressed', () => {
    const onDismiss = vi.fn();
    const { container } = render(<CallToast notices={notices} onDismiss={onDismiss} />);
    click(container.querySelector('[data-testid=toast-error] button'));
    expect(onDismiss).toHaveBeenCalledExactlyOnceWith(2);
  });
});
