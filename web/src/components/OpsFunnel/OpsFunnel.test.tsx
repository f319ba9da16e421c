// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { OpsSummary } from '@switchboard/client';
import { get, render } from '../../testing/render';
import { byState, opsSummary } from '../opsSummaryFixture';
import { OpsFunnel } from './OpsFunnel';

const funnel = (summary: OpsSummary | null) => render(<OpsFunnel summary={summary} />).container;

describe('OpsFunnel', () => {
  it('says loading, then that the hour had no calls', () => {
    expect(funnel(null).textContent).toContain('Loading…');
    expect(get(funnel(opsSummary()), '[data-testid=funnel-empty]').textContent).toBe(
      'No calls in the last hour.',
    );
  });

  it('shows each step and outcome as a share of the calls created', () => {
    const root = funnel(
      opsSummary({
        windowSeconds: 1800,
        funnel: {
          created: 8,
          queued: 3,
          queueTimeouts: 1,
          accepted: 6,
          connected: 5,
          byState: byState({ ended: 4, missed: 2, active: 1, ringing: 1 }),
          byReason: [
            { state: 'ended', reason: 'hangup', count: 4 },
            { state: 'missed', reason: '', count: 2 },
          ],
        },
      }),
    );
    /** "value · share" of a tile. */
    const tile = (key: string) => {
      const dd = get(root, `[data-testid=funnel-${key}] dd`);
      const share = dd.querySelector('.tile__share')?.firstChild?.textContent;
      return [dd.querySelector('.tile__value')?.textContent, share].filter(Boolean).join(' · ');
    };
    expect(root.textContent).toContain('Calls created in the last 30 minutes');
    expect(tile('created')).toBe('8');
    expect(tile('accepted')).toBe('6 · 75 %');
    expect(tile('missed')).toBe('2 · 25 %');
    expect(tile('queued')).toBe('3 · 38 %');
    expect(tile('queue_timeouts')).toBe('1 · 13 %'); // One of the missed.
    expect(tile('live')).toBe('2 · 25 %'); // Ringing, connecting or active.
    const reasons = get(root, '[data-testid=funnel-reasons]');
    expect(get(reasons, '[data-testid=reason-ended-hangup]').textContent).toContain('50 %');
    // Prose, not the wire code next to it.
    expect(get(reasons, '[data-testid=reason-ended-hangup] th').textContent).toBe('Hung up');
    expect(get(reasons, '[data-testid=reason-missed-]').textContent).toContain('No reason given');
  });

  it('says so when no call has ended yet', () => {
    const root = funnel(
      opsSummary({
        funnel: {
          created: 1,
          queued: 0,
          queueTimeouts: 0,
          accepted: 0,
          connected: 0,
          byState: byState({ ringing: 1 }),
          byReason: [],
        },
      }),
    );
    expect(root.textContent).toContain('No call has ended yet in the last hour.');
    expect(root.querySelector('[data-testid=funnel-reasons]')).toBeNull();
  });
});
