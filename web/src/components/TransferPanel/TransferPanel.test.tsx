// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import type { StaffEntry } from '@switchboard/client';
import { click, render, updateAsync } from '../../testing/render';
import { TransferPanel } from './TransferPanel';

const entry = (id: string, skills: string[], status: StaffEntry['status'] = 'available') =>
  ({
    id,
    name: id.toUpperCase(),
    status,
    state: 'idle',
    connected: true,
    since: null,
    call_id: null,
    skills,
  }) as StaffEntry;

describe('TransferPanel', () => {
  it("offers available colleagues and the org's topics, and transfers to the one chosen", async () => {
    const onTransfer = vi.fn(() => Promise.resolve({}));
    const staff = [entry('ana', ['billing']), entry('ben', ['tech']), entry('cy', [], 'away')];
    const { container } = render(
      <TransferPanel
        loadStaff={() => Promise.resolve(staff)}
        selfId="ana"
        onTransfer={onTransfer}
      />,
    );
    click(container.querySelector('[data-testid=transfer-open]'));
    await updateAsync(() => Promise.resolve());
    const select = container.querySelector<HTMLSelectElement>('[data-testid=transfer-target]')!;
    const options = [...select.querySelectorAll('option')].map((o) => o.value);
    expect(options).toEqual(['', 'staff:ben', 'topic:billing', 'topic:tech']);
    await updateAsync(async () => {
      select.value = 'topic:billing';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    click(container.querySelector('[data-testid=transfer-go]'));
    await updateAsync(() => Promise.resolve());
    expect(onTransfer).toHaveBeenCalledExactlyOnceWith({ topic: 'billing' });
  });

  it('takes the keyboard: the list has the focus once open, Escape and Cancel give it back', async () => {
    const { container } = render(
      <TransferPanel
        loadStaff={() => Promise.resolve([entry('ana', []), entry('ben', [])])}
        selfId="ana"
        onTransfer={() => Promise.resolve({})}
      />,
    );
    const byId = (id: string) => container.querySelector<HTMLElement>(`[data-testid=${id}]`);
    click(byId('transfer-open'));
    await updateAsync(() => Promise.resolve());
    expect(document.activeElement).toBe(byId('transfer-target'));
    expect(byId('transfer-panel')?.getAttribute('aria-label')).toBe('Transfer the call');

    await updateAsync(async () => {
      byId('transfer-target')?.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }),
      );
    });
    expect(byId('transfer-panel')).toBeNull();
    expect(document.activeElement).toBe(byId('transfer-open'));

    click(byId('transfer-open'));
    await updateAsync(() => Promise.resolve());
    click(byId('transfer-cancel'));
    expect(byId('transfer-panel')).toBeNull();
    expect(document.activeElement).toBe(byId('transfer-open'));
  });

  it('says so when there is nobody to pass the call to', async () => {
    const { container } = render(
      <TransferPanel
        loadStaff={() => Promise.resolve([entry('ana', [])])}
        selfId="ana"
        onTransfer={() => Promise.resolve({})}
      />,
    );
    click(container.querySelector('[data-testid=transfer-open]'));
    await updateAsync(() => Promise.resolve());
    expect(container.querySelector('[data-testid=transfer-none]')?.textContent).toBe(
      'Nobody else is available, and no team takes calls by topic.',
    );
    expect(
      container.querySelector('[data-testid=transfer-target]')?.getAttribute('aria-describedby'),
    ).toBe('transfer-none');
  });
});
