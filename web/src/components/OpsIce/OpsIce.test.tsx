// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { OpsSummary } from '@switchboard/client';
import { get, render } from '../../testing/render';
import { opsSummary } from '../opsSummaryFixture';
import { OpsIce } from './OpsIce';

const ice = (summary: OpsSummary | null) => render(<OpsIce summary={summary} />).container;

describe('OpsIce', () => {
  it('says loading, then that there were no media connections', () => {
    expect(ice(null).textContent).toContain('Loading…');
    expect(get(ice(opsSummary()), '[data-testid=ice-empty]')).toBeTruthy();
  });

  it('shows the success rate and the TURN share with their counts', () => {
    const root = ice(
      opsSummary({ ice: { connected: 19, failed: 1, successRate: 0.95, turnShare: 0.25 } }),
    );
    expect(get(root, '[data-testid=ice-success] dd').textContent).toBe(
      '95 %19 connected, 1 failed',
    );
    expect(get(root, '[data-testid=ice-turn] dd').textContent).toBe(
      '25 %of calls that reported their route',
    );
  });

  it('tells an unknown route apart from no relay at all', () => {
    const root = ice(
      opsSummary({ ice: { connected: 3, failed: 0, successRate: 1, turnShare: null } }),
    );
    expect(get(root, '[data-testid=ice-turn] dd').textContent).toBe(
      '–No call has reported its route yet',
    );
  });
});
