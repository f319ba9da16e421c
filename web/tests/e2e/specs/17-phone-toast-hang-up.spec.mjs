// Issue 12, item 1: on a phone the "Answered by …" toast must not cover Hang up or take its tap.
import { goAvailable, openStats, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, checkA11y, shot, waitPhase } from '../support/page-checks.mjs';

const PHONE = { width: 375, height: 812 };

test('at 375 px a tap on Hang up while "Answered by" shows ends the call on the server', async ({
  peers,
}) => {
  const org = `org-toast-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  await goAvailable(ana);
  const carla = await peers.openAs({
    org,
    sub: 'carla',
    role: 'client',
    name: 'Carla',
    viewport: PHONE,
  });
  await placeCall(carla);
  await byTestId(ana, 'accept-button').click();
  const toast = byTestId(carla, 'toast-answered').filter({ hasText: 'Answered by Ana' });
  await toast.waitFor({ timeout: 5000 });
  await waitPhase(carla, 'connected', 20_000);
  await openStats(carla); // As in the report: the stats open makes the page longer.
  const hangUp = byTestId(carla, 'hangup-button');
  await hangUp.scrollIntoViewIfNeeded();
  expect(await toast.isVisible(), 'the toast is still up when Hang up is tapped').toBe(true);
  await shot(carla, 'phone-17-toast-and-controls');
  await checkA11y(carla, 'phone-client-call-room-toast');

  // What a finger would hit at the middle of Hang up is Hang up, not the toast or its region.
  const box = await hangUp.boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  const hit = await carla.evaluate(
    ([px, py]) => document.elementFromPoint(px, py)?.closest('[data-testid]')?.dataset.testid,
    [x, y],
  );
  expect(hit, 'the element under the tap').toBe('hangup-button');
  // A real pointer at that point (no Playwright actionability help): the server must end the call.
  await carla.mouse.click(x, y);
  for (const p of [carla, ana]) {
    await p
      .locator('[data-testid="call-summary"][data-outcome="ended"]')
      .waitFor({ timeout: 10_000 });
  }
  const ended = await carla.evaluate(async () => {
    const sb = window.__switchboard;
    return sb.rest.getCall(sb.store.getSnapshot().summary.callId);
  });
  expect(ended.state, 'the server ended the call').toBe('ended');
  expect(ended.end_reason).toBe('hangup');
});

test('toasts sit at the top on a phone and bottom left on a desktop, and let taps through', async ({
  peers,
}) => {
  const org = `org-toast-place-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  const region = byTestId(ana, 'toasts');
  expect(await region.evaluate((el) => getComputedStyle(el).pointerEvents)).toBe('none');
  await ana.evaluate(() => window.__switchboard.store.notify('info', 'A notice for the layout'));
  await byTestId(ana, 'toast-info').waitFor({ timeout: 2000 });
  const desk = await byTestId(ana, 'toast-info').boundingBox();
  expect(desk.x, 'desktop: on the left').toBeLessThan(100);
  expect(desk.y + desk.height, 'desktop: at the bottom').toBeGreaterThan(700);
  await ana.setViewportSize(PHONE);
  const phone = await byTestId(ana, 'toast-info').boundingBox();
  expect(phone.y, 'phone: at the top').toBeLessThan(40);
  await shot(ana, 'phone-17-toast-at-top');
});
