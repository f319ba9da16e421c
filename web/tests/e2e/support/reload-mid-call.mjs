// The reload scenario, run once for each side (specs 10 and 11): `who` reloads the page mid-call.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from '@playwright/test';
import { bytesIn, goAvailable, openStats, placeCall, uid } from './call-steps.mjs';
import { byTestId, shot, waitPhase } from './page-checks.mjs';

/** `who` is 'client' or 'staff'. */
export async function reloadMidCall(peers, who) {
  const org = `org-reload-${who}-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  await goAvailable(ana);
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  await placeCall(carla);
  await byTestId(ana, 'accept-button').click();
  await waitPhase(ana, 'connected', 20_000);
  await waitPhase(carla, 'connected', 20_000);
  const reloading = who === 'client' ? carla : ana;
  await reloading.reload();
  await waitPhase(carla, 'connected', 20_000);
  await waitPhase(ana, 'connected', 20_000);
  await openStats(carla);
  await openStats(ana);
  await sleep(2500);
  const c1 = await bytesIn(carla);
  const a1 = await bytesIn(ana);
  await sleep(2500);
  expect(await bytesIn(carla), 'client receives media again').toBeGreaterThan(c1);
  expect(await bytesIn(ana), 'staff receives media again').toBeGreaterThan(a1);
  await shot(reloading, `${who}-after-reload`);
  await byTestId(ana, 'hangup-button').click();
  await carla
    .locator('[data-testid="call-summary"][data-outcome="ended"]')
    .waitFor({ timeout: 10_000 });
}
