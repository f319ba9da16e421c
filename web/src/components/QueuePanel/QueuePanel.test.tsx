// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { makeCall } from '../../../packages/client/src/test/fakes';
import { get, render } from '../../testing/render';
import { QueuePanel } from './QueuePanel';
import { queueFigures } from './queueFigures';

const queued = (id: string, topic: string | null, queuedAtMs: number) =>
  makeCall({ id, state: 'queued', topic, queued_at: new Date(queuedAtMs).toISOString() });

describe('queueFigures', () => {
  it('counts the calls, finds the first in line and groups the topics', () => {
    const f = queueFigures(
      [queued('a', 'billing', 5000), queued('b', null, 1000), queued('c', 'billing', 9000)],
      2000,
    );
    expect(f.length).toBe(3);
    expect(f.oldestSinceMs).toBe(-1000); // Server time 1000 is 2000 ms ahead of this browser.
    expect(f.topics).toEqual([
      { topic: 'billing', count: 2 },
      { topic: null, count: 1 },
    ]);
    expect(queueFigures([], 0)).toEqual({ length: 0, oldestSinceMs: null, topics: [] });
  });
});

describe('QueuePanel', () => {
  it('shows the length, the longest wait and the topics', () => {
    const { container } = render(
      <QueuePanel
        calls={[queued('a', 'billing', Date.now() - 95_000), queued('b', null, Date.now())]}
        error={null}
        clockOffsetMs={0}
      />,
    );
    expect(get(container, '[data-testid=queue-panel-length]').textContent).toBe(
      '2 callers waiting',
    );
    expect(get(container, '[data-testid=queue-panel-longest]').textContent).toBe(
      'Longest wait 1:35',
    );
    expect(get(container, '[data-testid=queue-panel-topics]').textContent).toBe(
      'billing1No topic1',
    );
  });

  it('says when nobody waits, and while loading', () => {
    expect(
      render(<QueuePanel calls={[]} error={null} clockOffsetMs={0} />).container.textContent,
    ).toContain('Nobody is waiting.');
    expect(
      render(<QueuePanel calls={null} error={null} clockOffsetMs={0} />).container.textContent,
    ).toContain('Loading…');
  });
});
