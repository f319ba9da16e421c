import { goAvailable, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import {
  byTestId,
  checkA11y,
  eventually,
  expectNoSidewaysScroll,
  shot,
  waitPhase,
} from '../support/page-checks.mjs';

const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 800 };

/** Presses Call while every staff member is busy: the waiting screen instead of the ring. */
async function callIntoQueue(page) {
  await byTestId(page, 'call-button').click();
  const explain = byTestId(page, 'permission-explain');
  const waiting = byTestId(page, 'queue-wait');
  await Promise.race([explain.waitFor({ timeout: 10_000 }), waiting.waitFor({ timeout: 10_000 })]);
  if (await explain.isVisible()) await byTestId(page, 'permission-allow').click();
  await waiting.waitFor({ timeout: 10_000 });
}

/** Both sides of one call reach "connected", then Ana hangs up and closes her summary. */
async function answerAndHangUp(ana, caller) {
  await byTestId(ana, 'accept-button').click();
  await waitPhase(ana, 'connected', 20_000);
  await waitPhase(caller, 'connected', 20_000);
  await byTestId(ana, 'hangup-button').click();
  await byTestId(ana, 'call-summary').waitFor({ timeout: 10_000 });
  await byTestId(ana, 'summary-close').click();
  await byTestId(caller, 'call-summary').waitFor({ timeout: 10_000 });
  await byTestId(caller, 'summary-close').click();
}

test('queue: a caller behind a busy staff member sees place and estimate, another leaves the line, the first gets through when the staff member hangs up', async ({
  peers,
}) => {
  const org = `org-queue-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  await goAvailable(ana);
  // Ben is away: he watches the console's queue, and is never rung.
  const ben = await peers.openAs({ org, sub: 'ben', role: 'staff', name: 'Ben' });
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });

  // One short answered call first: the org's handle time the estimate is made from.
  await placeCall(carla);
  await answerAndHangUp(ana, carla);

  // Ana takes Carla's second call and stays in it: everyone is busy.
  await placeCall(carla);
  await byTestId(ana, 'accept-button').click();
  await waitPhase(ana, 'connected', 20_000);
  await waitPhase(carla, 'connected', 20_000);

  const dan = await peers.openAs({ org, sub: 'dan', role: 'client', name: 'Dan' });
  await callIntoQueue(dan);
  await byTestId(dan, 'queue-position')
    .filter({ hasText: 'You are next in line.' })
    .waitFor({ timeout: 5000 });
  const estimate = await byTestId(dan, 'queue-estimate').textContent();
  expect(estimate, 'an estimate from the answered call').toMatch(/minute|moment/);
  await byTestId(dan, 'queue-waited').waitFor({ timeout: 5000 });

  const eli = await peers.openAs({ org, sub: 'eli', role: 'client', name: 'Eli' });
  await callIntoQueue(eli);
  await byTestId(eli, 'queue-position')
    .filter({ hasText: 'You are number 2 in line.' })
    .waitFor({ timeout: 5000 });
  await checkA11y(eli, 'client-queue-wait');
  await shot(eli, 'queue-01-client-waiting');
  await eli.setViewportSize(PHONE);
  await expectNoSidewaysScroll(eli, 'the waiting screen on a phone');
  await shot(eli, 'queue-02-client-waiting-phone');
  await eli.setViewportSize(DESKTOP);

  // The staff console's queue: two callers, the longest wait ticking, by topic.
  await ben.locator('[data-testid="queue-panel"][data-length="2"]').waitFor({ timeout: 10_000 });
  expect(await byTestId(ben, 'queue-panel-length').textContent()).toBe('2 callers waiting');
  const longest = await byTestId(ben, 'queue-panel-longest').textContent();
  expect(longest, 'the longest wait').toMatch(/^Longest wait \d+:\d\d$/);
  expect(await byTestId(ben, 'queue-panel-topics').textContent()).toContain('No topic2');
  await checkA11y(ben, 'staff-console-queue');
  await shot(ben, 'queue-03-staff-console');
  await ben.setViewportSize(PHONE);
  await expectNoSidewaysScroll(ben, 'the staff console with a queue on a phone');
  await shot(ben, 'queue-04-staff-console-phone', { fullPage: true });
  await ben.setViewportSize(DESKTOP);

  // Eli leaves the line; Dan stays first, and the console counts one.
  await byTestId(eli, 'leave-queue').click();
  await eli
    .locator('[data-testid="call-summary"][data-outcome="cancelled"]')
    .waitFor({ timeout: 10_000 });
  await ben.locator('[data-testid="queue-panel"][data-length="1"]').waitFor({ timeout: 10_000 });
  expect(await byTestId(dan, 'queue-wait').isVisible(), 'Dan still waits').toBe(true);

  // Ana hangs up with Carla: Dan's call rings her, she answers, and they are connected.
  await byTestId(ana, 'hangup-button').click();
  await byTestId(ana, 'incoming-modal').waitFor({ timeout: 10_000 });
  expect(await byTestId(ana, 'incoming-caller').textContent()).toContain('Dan');
  await byTestId(dan, 'calling').waitFor({ timeout: 10_000 });
  await byTestId(ana, 'accept-button').click();
  await waitPhase(ana, 'connected', 20_000);
  await waitPhase(dan, 'connected', 20_000);
  await ben.locator('[data-testid="queue-panel"][data-length="0"]').waitFor({ timeout: 10_000 });

  // The ops dashboard: the queue's figures for the last hour.
  const ada = await peers.openAs({ org, sub: 'ada', role: 'admin', name: 'Ada', path: '/ops' });
  await byTestId(ada, 'ops-queue').waitFor({ timeout: 10_000 });
  await eventually(
    async () =>
      (await byTestId(ada, 'ops-queue-queued').getAttribute('data-value', { timeout: 2000 })) ===
      '2',
    10_000,
    'two calls waited in the last hour',
  );
  expect(await byTestId(ada, 'ops-queue-abandoned').getAttribute('data-value')).toBe('1');
  expect(await byTestId(ada, 'ops-queue-wait-p99').textContent()).toMatch(/s$/);
  expect(await byTestId(ada, 'funnel-queued').getAttribute('data-value')).toBe('2');
  await byTestId(ada, 'ops-queue').scrollIntoViewIfNeeded();
  await checkA11y(ada, 'ops-queue');
  await shot(ada, 'queue-05-ops-dashboard', { fullPage: true });
  await ada.setViewportSize(PHONE);
  await expectNoSidewaysScroll(ada, 'the ops dashboard on a phone');
  await byTestId(ada, 'ops-queue').scrollIntoViewIfNeeded();
  await shot(ada, 'queue-06-ops-dashboard-phone');

  await byTestId(ana, 'hangup-button').click();
  await byTestId(dan, 'call-summary').waitFor({ timeout: 10_000 });
});
