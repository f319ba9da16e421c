// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { OpsSummary, QueueSummary } from '@switchboard/client';
import { get, render } from '../../testing/render';
import { opsSummary } from '../opsSummaryFixture';
import { OpsQueue } from './OpsQueue';

const queue = (summary: OpsSummary | null, liveLength: number | null = null) =>
  render(<OpsQueue summary={summary} liveLength={liveLength} />).container;

const figures = (patch: Partial<QueueSummary> = {}): QueueSummary => ({
  length: 2,
  queued: 9,
  wait: { count: 9, p50: 42, p90: 130, p99: 301 },
  timeouts: 1,
  abandoned: 3,
  ...patch,
});

describe('OpsQueue', () => {
  it('says loading, and when the server reports no queue', () => {
    expect(queue(null).textContent).toContain('Loading…');
    expect(get(queue(opsSummary()), '[data-testid=ops-queue-unknown]')).toBeTruthy();
  });

  it('shows the length, the wait percentiles and the timeouts', () => {
    const root = queue(opsSummary({ queue: figures() }));
    const value = (name: string) =>
      get(root, `[data-testid=ops-queue-${name}]`).getAttribute('data-value');
    expect(value('waiting')).toBe('2');
    expect(value('queued')).toBe('9');
    expect(value('timeouts')).toBe('1');
    expect(value('abandoned')).toBe('3');
    expect(get(root, '[data-testid=ops-queue-wait-p50]').textContent).toBe('42 s');
    expect(get(root, '[data-testid=ops-queue-wait-p99]').textContent).toBe('5 min 01 s');
  });

  it('prefers the live length from the board, and says when nobody waited', () => {
    const root = queue(
      opsSummary({
        queue: figures({ queued: 0, wait: { count: 0, p50: null, p90: null, p99: null } }),
      }),
      5,
    );
    expect(get(root, '[data-testid=ops-queue-waiting]').getAttribute('data-value')).toBe('5');
    expect(get(root, '[data-testid=ops-queue-no-waits]').textContent).toBe(
      'Nobody had to wait in the last hour.',
    );
  });
});
