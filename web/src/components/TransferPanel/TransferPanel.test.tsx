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
});
