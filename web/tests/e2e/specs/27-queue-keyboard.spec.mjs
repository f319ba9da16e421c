// Issue 11's new screens with the keyboard alone and at phone width: the caller's waiting screen
// (Tab to "Leave the queue", Shift-Tab back, Enter leaves), the staff console's queue card, which
// follows the board with no polling, the ops dashboard's queue card, and the transfer picker
// (Enter opens it with the focus on its list, Escape closes it and gives the focus back, arrows
// choose, Enter transfers). Focus is visible at every step; screenshots at 1280 and 390 px.
import { goAvailable, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import {
  byTestId,
  checkA11y,
  expectNoSidewaysScroll,
  shot,
  waitPhase,
} from '../support/page-checks.mjs';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

const focused = (page) => page.evaluate(() => document.activeElement?.dataset?.testid ?? null);

/** Presses Tab until the element `testId` has the focus (at most `max` times). */
async function tabTo(page, testId, max = 30) {
  for (let i = 0; i < max && (await focused(page)) !== testId; i++) {
    await page.keyboard.press('Tab');
    await expectFocusVisible(page, `Tab ${i + 1} towards ${testId}`);
  }
  expect(await focused(page), `Tab reaches ${testId}`).toBe(testId);
}

/** The focused element shows the focus ring, and is on screen with a size. */
async function expectFocusVisible(page, what) {
  const f = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return {
      el: `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}`,
      outline: s.outlineStyle,
      width: parseFloat(s.outlineWidth),
      box: [r.width, r.height],
      visible: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
    };
  });
  if (f === null) return; // Nothing focused yet (the page itself).
  expect(f.outline, `${what}: ${f.el} shows a focus ring`).not.toBe('none');
  expect(f.width, `${what}: ${f.el}'s focus ring is at least 2 px`).toBeGreaterThanOrEqual(2);
  expect(f.box[0] * f.box[1], `${what}: ${f.el} has a size`).toBeGreaterThan(0);
  expect(f.visible, `${what}: ${f.el} is scrolled into view`).toBe(true);
}

/** Presses Call while every staff member is busy: the waiting screen instead of the ring. */
async function callIntoQueue(page) {
  await byTestId(page, 'call-button').click();
  const explain = byTestId(page, 'permission-explain');
  const waiting = byTestId(page, 'queue-wait');
  await Promise.race([explain.waitFor({ timeout: 10_000 }), waiting.waitFor({ timeout: 10_000 })]);
  if (await explain.isVisible()) await byTestId(page, 'permission-allow').click();
  await waiting.waitFor({ timeout: 10_000 });
}

test('keyboard and phone width: the caller leaves the queue, the queue cards follow, Ana transfers with the picker', async ({
  peers,
}) => {
  const org = `org-queue-keys-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  await goAvailable(ana);
  // Ben watches the console's queue; he goes available only for the transfer.
  const ben = await peers.openAs({ org, sub: 'ben', role: 'staff', name: 'Ben' });
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  await placeCall(carla);
  await byTestId(ana, 'incoming-modal').waitFor({ timeout: 10_000 });
  expect(await focused(ana), 'the ringing dialog focuses Accept').toBe('accept-button');
  await ana.keyboard.press('Enter');
  await waitPhase(ana, 'connected', 20_000);
  await waitPhase(carla, 'connected', 20_000);

  // Dan, on a phone, waits: everyone is busy.
  const dan = await peers.openAs({ org, sub: 'dan', role: 'client', name: 'Dan', viewport: PHONE });
  await callIntoQueue(dan);
  await byTestId(dan, 'queue-position')
    .filter({ hasText: 'You are next in line.' })
    .waitFor({ timeout: 5000 });
  await expect(dan.getByRole('button', { name: 'Leave the queue' })).toBeVisible();
  await expectNoSidewaysScroll(dan, 'the waiting screen at 390 px');
  await shot(dan, 'queue-keys-01-client-waiting-390', { fullPage: true });
  await tabTo(dan, 'leave-queue');
  await shot(dan, 'queue-keys-02-client-leave-focused-390');
  await dan.keyboard.press('Shift+Tab');
  expect(await focused(dan), 'Shift-Tab leaves the button').not.toBe('leave-queue');
  await expectFocusVisible(dan, 'Shift-Tab from Leave the queue');
  await dan.keyboard.press('Tab');
  expect(await focused(dan), 'Tab comes back to it').toBe('leave-queue');
  await dan.setViewportSize(DESKTOP);
  await expectFocusVisible(dan, 'Leave the queue at 1280 px');
  await shot(dan, 'queue-keys-03-client-leave-focused-1280');
  await checkA11y(dan, 'client-queue-wait-keyboard');

  // The staff console's queue card, at both widths.
  await ben.locator('[data-testid="queue-panel"][data-length="1"]').waitFor({ timeout: 10_000 });
  await byTestId(ben, 'queue-panel').scrollIntoViewIfNeeded();
  await shot(ben, 'queue-keys-04-staff-queue-1280');
  await ben.setViewportSize(PHONE);
  await expectNoSidewaysScroll(ben, 'the staff console with a queue at 390 px');
  await shot(ben, 'queue-keys-05-staff-queue-390', { fullPage: true });
  await checkA11y(ben, 'staff-queue-390');

  // The ops dashboard's queue card, at both widths.
  const ada = await peers.openAs({ org, sub: 'ada', role: 'admin', name: 'Ada', path: '/ops' });
  await byTestId(ada, 'ops-queue').waitFor({ timeout: 10_000 });
  await byTestId(ada, 'ops-queue').scrollIntoViewIfNeeded();
  await shot(ada, 'queue-keys-06-ops-queue-1280');
  await ada.setViewportSize(PHONE);
  await expectNoSidewaysScroll(ada, 'the ops dashboard at 390 px');
  await byTestId(ada, 'ops-queue').scrollIntoViewIfNeeded();
  await shot(ada, 'queue-keys-07-ops-queue-390');

  // Enter leaves the queue; Ben's card follows from the board alone (the server sends
  // board.updated when a call leaves the queue; the console no longer polls).
  await dan.keyboard.press('Enter');
  await dan
    .locator('[data-testid="call-summary"][data-outcome="cancelled"]')
    .waitFor({ timeout: 10_000 });
  await ben.locator('[data-testid="queue-panel"][data-length="0"]').waitFor({ timeout: 2500 });

  // The transfer picker, keyboard only: Enter opens it on its list, Escape closes it.
  await ben.setViewportSize(DESKTOP);
  await goAvailable(ben);
  await tabTo(ana, 'transfer-open');
  await expect(ana.getByRole('button', { name: 'Transfer…' })).toBeFocused();
  await ana.keyboard.press('Enter');
  await byTestId(ana, 'transfer-panel').waitFor({ timeout: 5000 });
  expect(await focused(ana), 'the picker opens with its list focused').toBe('transfer-target');
  await expectFocusVisible(ana, 'the transfer list');
  await ana.keyboard.press('Escape');
  await byTestId(ana, 'transfer-panel').waitFor({ state: 'detached', timeout: 5000 });
  expect(await focused(ana), 'Escape gives the focus back').toBe('transfer-open');
  await ana.keyboard.press('Enter');
  await ana.locator('[data-testid="transfer-target"] option[value="staff:ben"]').waitFor({
    state: 'attached',
    timeout: 5000,
  });
  const target = byTestId(ana, 'transfer-target');
  for (let i = 0; i < 5 && (await target.inputValue()) !== 'staff:ben'; i++)
    await ana.keyboard.press('ArrowDown');
  expect(await target.inputValue(), 'the arrow keys choose Ben').toBe('staff:ben');
  await shot(ana, 'queue-keys-08-transfer-picker-1280');
  await ana.setViewportSize(PHONE);
  await expectNoSidewaysScroll(ana, 'the transfer picker at 390 px');
  await target.scrollIntoViewIfNeeded();
  await shot(ana, 'queue-keys-09-transfer-picker-390');
  await checkA11y(ana, 'staff-transfer-picker-keyboard');
  await ana.keyboard.press('Tab');
  expect(await focused(ana), 'Tab reaches Transfer').toBe('transfer-go');
  await expectFocusVisible(ana, 'the Transfer button at 390 px');
  await ana.keyboard.press('Enter');

  await byTestId(carla, 'toast-info')
    .filter({ hasText: 'Transferring you to Ben…' })
    .waitFor({ timeout: 10_000 });
  await byTestId(ben, 'incoming-modal').waitFor({ timeout: 10_000 });
  expect(await byTestId(ben, 'incoming-caller').textContent()).toContain('Carla');
  await byTestId(ben, 'decline-button').click();
  await byTestId(carla, 'call-summary').waitFor({ timeout: 10_000 });
});
