// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Call } from '@switchboard/client';
import { makeCall } from '../../../packages/client/src/test/fakes';
import { get, render, update } from '../../testing/render';
import { LiveCalls } from './LiveCalls';

const NOW = Date.parse('2026-11-23T21:02:00.000Z');

const live = (calls: Call[] | null, clockOffsetMs = 0, truncated = false) =>
  render(<LiveCalls calls={calls} truncated={truncated} clockOffsetMs={clockOffsetMs} />).container;

describe('LiveCalls', () => {
  beforeEach(() =>
    vi.useFakeTimers({ now: NOW, toFake: ['setInterval', 'clearInterval', 'Date'] }),
  );
  afterEach(() => vi.useRealTimers());

  it('says loading, then empty', () => {
    expect(live(null).textContent).toContain('Loading…');
    expect(get(live([]), '[data-testid=live-calls-empty]').textContent).toBe('No calls right now.');
  });

  it('counts by state and times each call from what it waits for', () => {
    const container = live([
      makeCall({ id: 'r', created_at: '2026-11-23T21:01:30.000Z' }),
      makeCall({
        id: 'c',
        state: 'accepted',
        staff: { id: 'st-1', name: 'Ana' },
        accepted_at: '2026-11-23T21:01:50.000Z',
      }),
      makeCall({
        id: 'a',
        state: 'active',
        staff: { id: 'st-2', name: 'Bo' },
        active_at: '2026-11-23T20:00:00.000Z',
      }),
    ]);
    expect(container.textContent).toContain('1 ringing · 1 connecting · 1 in progress');
    const row = (id: string) => get(container, `[data-testid=live-call-${id}]`);
    expect(row('r').querySelector('td.num')?.textContent).toBe('Waiting 0:30');
    expect(row('c').querySelector('td.num')?.textContent).toBe('Connecting 0:10');
    expect(row('a').querySelector('td.num')?.textContent).toBe('Talking 1:02:00');
    expect(row('a').textContent).toContain('In progress');
    expect(row('r').querySelectorAll('td')[1]?.textContent).toBe('–'); // No staff yet.
  });

  it("ticks every second, on the server's clock", () => {
    const container = live([makeCall({ created_at: '2026-11-23T21:01:30.000Z' })], 5000);
    const timer = () => container.querySelector('td.num')?.textContent;
    expect(timer()).toBe('Waiting 0:35');
    update(() => vi.advanceTimersByTime(1000));
    expect(timer()).toBe('Waiting 0:36');
  });

  it('says when the list was cut', () => {
    expect(live([makeCall()], 0, true).textContent).toContain('Showing the first 100 calls');
  });
});
