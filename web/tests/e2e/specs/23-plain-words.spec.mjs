// Issue 12, item 9: words. The caller reads "Good connection", never a delay in ms or a candidate
// type; after a reload mid-call the summary still says how the call was; the status card does not
// say "Offline" under a header that says "Online".
import { setTimeout as sleep } from 'node:timers/promises';
import { goAvailable, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, checkA11y, shot, waitPhase } from '../support/page-checks.mjs';

const JARGON = /\bms delay\b|\bdirect\b|\bhost\b|\bsrflx\b|\bprflx\b|\brelay\b/;

test('plain words: header and status agree; the caller sees "Good connection" and, after a reload, a measured summary', async ({
  peers,
}) => {
  const org = `org-words-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  expect(await byTestId(ana, 'connection-state').textContent()).toBe('Online');
  expect(await byTestId(ana, 'my-status').textContent(), 'not "Offline" while online').toBe(
    'Not taking calls',
  );
  await shot(ana, 'staff-23-online-not-taking-calls');
  await goAvailable(ana);
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  await placeCall(carla);
  await byTestId(ana, 'accept-button').click();
  await waitPhase(carla, 'connected', 20_000);
  await waitPhase(ana, 'connected', 20_000);
  await sleep(4500); // Two quality samples.
  await byTestId(carla, 'connection-quality').waitFor({ timeout: 5000 });
  expect(await byTestId(carla, 'connection-quality').textContent()).toMatch(/Good connection/);

  await carla.reload();
  await waitPhase(carla, 'connected', 20_000);
  await sleep(2500);
  await byTestId(ana, 'hangup-button').click();
  const summary = carla.locator('[data-testid="call-summary"][data-outcome="ended"]');
  await summary.waitFor({ timeout: 10_000 });
  const quality = byTestId(carla, 'summary-quality');
  await expect(quality).not.toHaveAttribute('data-verdict', 'none', { timeout: 5000 });
  expect(await quality.textContent()).toMatch(/^(Good|Fair|Poor) connection/);
  expect(await summary.innerText(), 'no jargon in the caller’s summary').not.toMatch(JARGON);
  await quality.locator('summary').click(); // Details: the figures, still in words.
  const details = await byTestId(carla, 'quality-details').innerText();
  expect(details).toMatch(/Delay: \d+ ms/);
  expect(details).not.toMatch(/\bhost\b|\bsrflx\b|\bprflx\b/);
  await shot(carla, 'client-23-summary-after-reload');
  await checkA11y(carla, 'client-summary-quality-details');
  await carla.setViewportSize({ width: 375, height: 812 });
  await shot(carla, 'phone-23-summary-after-reload', { fullPage: true });
});

test('the staff member reloads mid-call and hangs up at once: the summary still says how the call was', async ({
  peers,
}) => {
  const org = `org-words-staff-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  await goAvailable(ana);
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  await placeCall(carla);
  await byTestId(ana, 'accept-button').click();
  await waitPhase(carla, 'connected', 20_000);
  await waitPhase(ana, 'connected', 20_000);
  await sleep(4500); // Samples from before the reload.
  await ana.reload();
  await waitPhase(ana, 'connected', 20_000);
  await byTestId(ana, 'hangup-button').click();
  await ana
    .locator('[data-testid="call-summary"][data-outcome="ended"]')
    .waitFor({ timeout: 10_000 });
  const quality = byTestId(ana, 'summary-quality');
  await expect(quality).not.toHaveAttribute('data-verdict', 'none', { timeout: 5000 });
  await shot(ana, 'staff-23-summary-after-reload');
});
