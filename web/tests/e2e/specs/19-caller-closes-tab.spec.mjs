// Issue 12, item 3: a caller who closes the tab. The page says `bye` to the staff member's page as
// it goes (and its connection closes with it): staff are told at once, and the call ends as
// "The caller left" after a short wait for a reload to come back, not after the reconnect grace.
import { goAvailable, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, checkA11y, shot, waitPhase } from '../support/page-checks.mjs';

test('the client closes the tab mid-call: staff are told within 5 s and the call ends as "The caller left"', async ({
  peers,
}) => {
  const org = `org-left-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  await goAvailable(ana);
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  await placeCall(carla);
  await byTestId(ana, 'accept-button').click();
  await waitPhase(ana, 'connected', 20_000);
  await waitPhase(carla, 'connected', 20_000);
  const callId = await carla.evaluate(() => window.__switchboard.store.getSnapshot().current.id);

  const closedAt = Date.now();
  await carla.close({ runBeforeUnload: true });
  await byTestId(ana, 'remote-left-banner').waitFor({ timeout: 5000 });
  const toldMs = Date.now() - closedAt;
  await shot(ana, 'staff-19-caller-left-banner');
  await checkA11y(ana, 'staff-call-room-caller-left');

  await ana
    .locator('[data-testid="call-summary"][data-outcome="ended"]')
    .waitFor({ timeout: 10_000 });
  const endedMs = Date.now() - closedAt;
  expect(toldMs, 'staff told that the caller left (ms)').toBeLessThan(5000);
  expect(endedMs, 'the call ended (ms), well before the reconnect grace').toBeLessThan(10_000);
  expect(await byTestId(ana, 'summary-headline').textContent()).toBe('The caller left');
  expect(await byTestId(ana, 'summary-detail').textContent()).toBe(
    'Carla closed the call window, so the call has ended.',
  );
  const call = await ana.evaluate((id) => window.__switchboard.rest.getCall(id), callId);
  expect(call.state).toBe('ended');
  expect(call.end_reason).toBe('caller_left');
  await shot(ana, 'staff-19-caller-left-summary');
  await checkA11y(ana, 'staff-summary-caller-left');

  await byTestId(ana, 'summary-close').click();
  await byTestId(ana, 'recent-calls').getByText('Caller left').first().waitFor({ timeout: 5000 });
  await shot(ana, 'staff-19-recent-caller-left');
});
