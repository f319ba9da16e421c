// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { OpsSummary } from '@switchboard/client';
import { get, render } from '../../testing/render';
import { opsSummary } from '../opsSummaryFixture';
import { OpsTimings } from './OpsTimings';

const timings = (summary: OpsSummary | null) => render(<OpsTimings summary={summary} />).container;

describe('OpsTimings', () => {
  it('says loading, then that no call was answered', () => {
    expect(timings(null).textContent).toContain('Loading…');
    expect(get(timings(opsSummary()), '[data-testid=timings-empty]').textContent).toBe(
      'No answered calls in the last hour.',
    );
  });

  it('shows the percentiles in readable seconds, – where unknown', () => {
    const root = timings(
      opsSummary({
        setup: { count: 12, p50: 4.24, p90: 42.4, p99: 125 },
        connect: { count: 1, p50: 0.5, p90: null, p99: null },
      }),
    );
    const cells = (key: string) =>
      [...get(root, `[data-testid=timing-${key}]`).querySelectorAll('td')].map(
        (c) => c.textContent,
      );
    expect(cells('setup')).toEqual(['12', '4.2 s', '42 s', '2 min 05 s']);
    expect(cells('connect')).toEqual(['1', '0.50 s', '–', '–']);
  });
});
