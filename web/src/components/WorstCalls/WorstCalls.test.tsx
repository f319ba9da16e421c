// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { WorstCall } from '@switchboard/client';
import { makeCall } from '../../../packages/client/src/test/fakes';
import { get, render } from '../../testing/render';
import { WorstCalls } from './WorstCalls';

function worst(over: Partial<WorstCall> = {}): WorstCall {
  return {
    call: makeCall({ state: 'ended', staff: { id: 'st-1', name: 'Ana' } }),
    samples: 12,
    lossPct: { avg: 1.25, max: 4 },
    rttMs: { avg: 180.4, max: 420 },
    jitterMs: { avg: 0, max: 12.4 },
    candidateType: 'relay',
    reconnects: 2,
    caller: null,
    staff: null,
    ...over,
  };
}

/** The first row's cells by column. */
function cellsOf(calls: WorstCall[]): Record<string, string | null> {
  const root = render(<WorstCalls calls={calls} />).container;
  const row = get(root, `[data-testid=worst-call-${calls[0].call.id}]`);
  return Object.fromEntries(
    [...row.children].map((c) => [c.getAttribute('data-label') ?? '', c.textContent]),
  );
}

describe('WorstCalls', () => {
  it('says loading, then that there were no reports', () => {
    expect(render(<WorstCalls calls={null} />).container.textContent).toContain('Loading…');
    expect(
      get(render(<WorstCalls calls={[]} />).container, '[data-testid=worst-calls-empty]')
        .textContent,
    ).toBe('No quality reports in the last hour.');
  });

  it('formats each figure as average / worst, with decimals only for small numbers', () => {
    expect(cellsOf([worst()])).toMatchObject({
      Caller: 'Carla',
      Staff: 'Ana',
      Outcome: 'Completed',
      'Packet loss': '1.3 / 4.0 %',
      'Round trip': '180 / 420 ms',
      Jitter: '0 / 12 ms',
      Route: 'TURN relay',
      Reconnects: '2',
      Samples: '12',
    });
  });

  it('says – for what is not known', () => {
    expect(
      cellsOf([
        worst({
          call: makeCall({ state: 'failed' }),
          lossPct: { avg: null, max: null },
          rttMs: { avg: 90, max: null },
          candidateType: null,
          reconnects: null,
        }),
      ]),
    ).toMatchObject({
      Staff: '–',
      Outcome: 'Failed',
      'Packet loss': '–',
      'Round trip': '90 / – ms',
      Route: '–',
      Reconnects: '–',
    });
  });

  it('names a direct route through NAT plainly', () => {
    expect(cellsOf([worst({ candidateType: 'srflx' })]).Route).toBe('Direct (NAT)');
  });
});
