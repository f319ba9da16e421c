import { goAvailable, placeCall, uid } from '../support/call-steps.mjs';
import { test } from '../support/fixtures.mjs';
import { byTestId, shot, waitPhase } from '../support/page-checks.mjs';

test('the server restarts mid-call: both pages reconnect and resync, the call goes on and ends cleanly', async ({
  peers,
  server,
}) => {
  const org = `org-restart-srv-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  await goAvailable(ana);
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  await placeCall(carla);
  await byTestId(ana, 'accept-button').click();
  await waitPhase(ana, 'connected', 20_000);
  await waitPhase(carla, 'connected', 20_000);
  await server.restart();
  for (const p of [ana, carla]) {
    await p
      .locator('[data-testid="connection-state"]', { hasText: 'Online' })
      .waitFor({ timeout: 20_000 });
  }
  await shot(carla, 'client-13-after-server-restart');
  // Media is peer to peer: it never stopped. The call is still the same one on both sides.
  await waitPhase(carla, 'connected', 5000);
  await waitPhase(ana, 'connected', 5000);
  await byTestId(carla, 'hangup-button').click();
  for (const p of [ana, carla]) {
    await p
      .locator('[data-testid="call-summary"][data-outcome="ended"]')
      .waitFor({ timeout: 10_000 });
  }
});
