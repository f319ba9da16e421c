// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { click, render } from '../../testing/render';
import { QueueWait, waitText } from './QueueWait';

describe('QueueWait', () => {
  it('says where the caller stands and about how long is left', () => {
    const { container } = render(
      <QueueWait spot={{ position: 3, estimated_wait_s: 130 }} local={null} onLeave={() => {}} />,
    );
    expect(container.querySelector('[data-testid=queue-position]')?.textContent).toContain(
      'You are number 3 in line.',
    );
    expect(container.querySelector('[data-testid=queue-estimate]')?.textContent).toBe(
      'About 2 minutes to go.',
    );
  });

  it('takes the focus the Call button had, on its title, but not from another control', () => {
    (document.activeElement as HTMLElement | null)?.blur();
    const { container } = render(
      <QueueWait spot={{ position: 1, estimated_wait_s: null }} local={null} onLeave={() => {}} />,
    );
    expect(document.activeElement).toBe(container.querySelector('#queue-title'));

    const other = document.createElement('button');
    document.body.appendChild(other);
    other.focus();
    render(
      <QueueWait spot={{ position: 2, estimated_wait_s: null }} local={null} onLeave={() => {}} />,
    );
    expect(document.activeElement).toBe(other);
    other.remove();
  });

  it('has words for the head of the line and for no estimate yet', () => {
    const { container } = render(
      <QueueWait spot={{ position: 1, estimated_wait_s: null }} local={null} onLeave={() => {}} />,
    );
    expect(container.textContent).toContain('You are next in line.');
    expect(container.textContent).toContain('We will tell you how long shortly.');
    expect(waitText(20)).toBe('Less than a minute to go.');
    expect(waitText(75)).toBe('About 1 minute to go.');
  });

  it('counts the estimate down between updates, and says so when it has run out', () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(0);
      const spot = { position: 2, estimated_wait_s: 300 };
      const { container } = render(
        <QueueWait
          spot={spot}
          queuedAt={new Date(-60_000).toISOString()}
          local={null}
          onLeave={() => {}}
        />,
      );
      const estimate = () => container.querySelector('[data-testid=queue-estimate]')?.textContent;
      expect(estimate()).toBe('About 5 minutes to go.');
      act(() => {
        vi.advanceTimersByTime(120_000);
      });
      expect(estimate()).toBe('About 3 minutes to go.');
      expect(container.querySelector('[data-testid=queue-waited]')?.textContent).toBe(
        'You have waited 3:00.',
      );
      act(() => {
        vi.advanceTimersByTime(170_000);
      });
      expect(estimate()).toBe('Less than a minute to go.');
      act(() => {
        vi.advanceTimersByTime(15_000);
      });
      expect(estimate()).toBe('Less than a minute to go.'); // Just past the estimate.
      act(() => {
        vi.advanceTimersByTime(60_000);
      });
      expect(estimate()).toBe('It is taking longer than we thought. You keep your place.');
    } finally {
      vi.useRealTimers();
    }
  });

  it('leaves the queue', () => {
    const onLeave = vi.fn();
    const { container } = render(<QueueWait spot={undefined} local={null} onLeave={onLeave} />);
    click(container.querySelector('[data-testid=leave-queue]'));
    expect(onLeave).toHaveBeenCalledOnce();
  });
});
