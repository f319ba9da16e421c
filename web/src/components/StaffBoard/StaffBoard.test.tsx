// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { StaffEntry } from '@switchboard/client';
import { makeStaff } from '../../../packages/client/src/test/fakes';
import { get, render } from '../../testing/render';
import { StaffBoard } from './StaffBoard';

const board = (staff: StaffEntry[] | null, myId: string | null = null) =>
  render(<StaffBoard staff={staff} myId={myId} />).container;

const cells = (root: HTMLElement, id: string) =>
  [...get(root, `[data-testid=staff-row-${id}]`).children].map((c) => c.textContent);

describe('StaffBoard', () => {
  it('says loading, then that nobody signed in', () => {
    expect(board(null).textContent).toContain('Loading…');
    expect(get(board([]), '[data-testid=staff-board-empty]').textContent).toBe(
      'No staff have signed in yet.',
    );
  });

  it('counts the board and marks the person looking at it', () => {
    const root = board(
      [
        makeStaff('st-me'),
        makeStaff('st-ana', { state: 'in_call', call_id: 'call-1' }),
        makeStaff('st-bo', { status: 'away' }),
      ],
      'st-me',
    );
    expect(get(root, '[data-testid=staff-counts]').textContent).toBe(
      '1 free · 1 in a call · 0 ringing · 1 away · 0 offline',
    );
    expect(cells(root, 'st-me')[0]).toBe('St-me (you)');
    expect(cells(root, 'st-ana')[2]).toBe('In a call');
  });

  it('shows a disconnected person as offline, with nothing to say about their activity', () => {
    const root = board([makeStaff('st-cy', { connected: false })]);
    const row = get(root, '[data-testid=staff-row-st-cy]');
    expect(row.dataset.status).toBe('offline');
    expect(cells(root, 'st-cy')[1]).toBe('Offlinenot connected');
    expect(cells(root, 'st-cy')[2]).toBe('–');
  });

  it('says "Not taking calls" for someone connected who chose offline', () => {
    const root = board([makeStaff('st-di', { status: 'offline' })]);
    expect(cells(root, 'st-di')[1]).toMatch(/^Not taking calls/);
  });

  it('says waiting for an available idle person, and nothing when away and idle', () => {
    const root = board([makeStaff('st-ana'), makeStaff('st-bo', { status: 'away' })]);
    expect(cells(root, 'st-ana')[2]).toBe('Waiting for calls');
    expect(cells(root, 'st-bo')[2]).toBe('–');
  });

  it('falls back to the id when a person has no name', () => {
    const root = board([makeStaff('st-x', { name: null })]);
    expect(cells(root, 'st-x')[0]).toBe('st-x');
  });
});
