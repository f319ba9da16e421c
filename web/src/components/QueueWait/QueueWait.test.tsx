// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
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

  it('has words for the head of the line and for no estimate yet', () => {
    const { container } = render(
      <QueueWait spot={{ position: 1, estimated_wait_s: null }} local={null} onLeave={() => {}} />,
    );
    expect(container.textContent).toContain('You are next in line.');
    expect(container.textContent).toContain('We will tell you how long shortly.');
    expect(waitText(20)).toBe('Less than a minute to go.');
    expect(waitText(75)).toBe('About 1 minute to go.');
  });

  it('leaves the queue', () => {
    const onLeave = vi.fn();
    const { container } = render(<QueueWait spot={undefined} local={null} onLeave={onLeave} />);
    click(container.querySelector('[data-testid=leave-queue]'));
    expect(onLeave).toHaveBeenCalledOnce();
  });
});
