import { goAvailable, placeCall, uid } from '../support/call-steps.mjs';
import { test } from '../support/fixtures.mjs';
import { byTestId, shot } from '../support/page-checks.mjs';

test('the only staff member declines: the client sees "declined"', async ({ peers }) => {
  const org = `org-decline-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  await goAvailable(ana);
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  await placeCall(carla);
  await byTestId(ana, 'incoming-modal').waitFor({ timeout: 10_000 });
  await byTestId(ana, 'decline-button').click();
  await byTestId(ana, 'incoming-modal').waitFor({ state: 'detached', timeout: 5000 });
  await carla
    .locator('[data-testid="call-summary"][data-outcome="declined"]')
    .waitFor({ timeout: 10_000 });
  await shot(carla, 'client-08-declined');
  await shot(ana, 'staff-09-after-decline');
});
