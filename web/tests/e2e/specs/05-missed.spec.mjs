import { goAvailable, placeCall, uid } from '../support/call-steps.mjs';
import { test } from '../support/fixtures.mjs';
import { byTestId, shot } from '../support/page-checks.mjs';

test('nobody answers before a short --ring-timeout: both sides see "missed"', async ({
  peers,
  startServer,
}) => {
  const org = `org-missed-${uid()}`;
  // A server of its own with a short ring timeout (the main one rings for 20 s, so that a
  // loaded machine does not turn the answered-call tests into missed calls).
  const server = await startServer({ args: ['--ring-timeout', '4s'] });
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana', server });
  await goAvailable(ana);
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla', server });
  await placeCall(carla);
  await byTestId(ana, 'incoming-countdown').waitFor({ timeout: 10_000 });
  await shot(ana, 'staff-10-incoming-countdown');
  await carla
    .locator('[data-testid="call-summary"][data-outcome="missed"]')
    .waitFor({ timeout: 15_000 });
  await byTestId(ana, 'incoming-modal').waitFor({ state: 'detached', timeout: 5000 });
  await byTestId(ana, 'toast-missed').waitFor({ timeout: 5000 });
  await shot(carla, 'client-09-missed');
  await shot(ana, 'staff-11-missed-toast');
});
