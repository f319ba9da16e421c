import { setTimeout as sleep } from 'node:timers/promises';
import { bytesIn, goAvailable, openStats, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, checkA11y, shot, waitPhase } from '../support/page-checks.mjs';

/** Received bytes grow on the page over a few seconds: media flows to it. */
async function expectMediaFlowing(page, who) {
  await openStats(page);
  await sleep(2000);
  const before = await bytesIn(page);
  await sleep(2500);
  expect(await bytesIn(page), `${who} receives media`).toBeGreaterThan(before);
}

test('transfer: Ana passes the call to Ben; the caller is told so by name and follows by itself, media before and after', async ({
  peers,
}) => {
  const org = `org-transfer-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  const ben = await peers.openAs({ org, sub: 'ben', role: 'staff', name: 'Ben' });
  await goAvailable(ana);
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  await placeCall(carla);
  await byTestId(ana, 'accept-button').click();
  await waitPhase(ana, 'connected', 20_000);
  await waitPhase(carla, 'connected', 20_000);
  await expectMediaFlowing(carla, 'the caller, from Ana');
  // Ben goes available only now: the call rang Ana alone.
  await goAvailable(ben);

  await byTestId(ana, 'transfer-open').click();
  await byTestId(ana, 'transfer-panel').waitFor({ timeout: 5000 });
  await byTestId(ana, 'transfer-target').selectOption('staff:ben');
  await checkA11y(ana, 'staff-transfer-picker');
  await shot(ana, 'transfer-01-staff-picker');
  await byTestId(ana, 'transfer-go').click();

  // The caller's page follows by itself: told whom it goes to, it rings Ben, camera kept.
  await byTestId(carla, 'toast-info')
    .filter({ hasText: 'Transferring you to Ben…' })
    .waitFor({ timeout: 10_000 });
  await carla.locator('[data-testid="calling"][data-phase="ringing"]').waitFor({ timeout: 10_000 });
  await carla
    .locator('#calling-title', { hasText: 'Transferring you to Ben…' })
    .waitFor({ timeout: 5000 });
  await shot(carla, 'transfer-02-client-transferring');
  await byTestId(carla, 'local-preview').waitFor({ timeout: 5000 });
  await byTestId(ana, 'call-summary').waitFor({ timeout: 10_000 });

  await byTestId(ben, 'incoming-modal').waitFor({ timeout: 10_000 });
  expect(await byTestId(ben, 'incoming-caller').textContent()).toContain('Carla');
  await byTestId(ben, 'accept-button').click();
  await waitPhase(ben, 'connected', 20_000);
  await waitPhase(carla, 'connected', 20_000);
  await expectMediaFlowing(carla, 'the caller, from Ben');
  await expectMediaFlowing(ben, 'Ben');
  await shot(carla, 'transfer-03-client-with-ben');

  await byTestId(ben, 'hangup-button').click();
  await byTestId(carla, 'call-summary').waitFor({ timeout: 10_000 });
  expect(await byTestId(carla, 'summary-who').textContent()).toContain('Ben');
});
