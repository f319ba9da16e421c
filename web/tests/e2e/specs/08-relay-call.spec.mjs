import { setTimeout as sleep } from 'node:timers/promises';
import { bytesIn, goAvailable, openStats, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import {
  byTestId,
  checkA11y,
  eventually,
  expectNoSidewaysScroll,
  shot,
  waitPhase,
} from '../support/page-checks.mjs';

test('a relay-only call goes through coturn (candidate type "relay" on both sides)', async ({
  peers,
  server,
  coturn,
}) => {
  const org = `org-relay-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana', relay: true });
  await goAvailable(ana);
  const carla = await peers.openAs({
    org,
    sub: 'carla',
    role: 'client',
    name: 'Carla',
    relay: true,
    viewport: { width: 375, height: 812 },
  });
  await shot(carla, 'phone-01-client-idle');
  await expectNoSidewaysScroll(carla, 'client idle page');
  await placeCall(carla);
  await shot(carla, 'phone-02-client-ringing');
  await expectNoSidewaysScroll(carla, 'client ringing');
  await byTestId(ana, 'accept-button').click();
  await waitPhase(ana, 'connected', 25_000);
  await waitPhase(carla, 'connected', 25_000);
  await openStats(ana);
  await openStats(carla);
  for (const [who, p] of [
    ['Ana', ana],
    ['Carla', carla],
  ]) {
    await eventually(
      async () => (await byTestId(p, 'route').getAttribute('data-candidate-type')) === 'relay',
      10_000,
      `${who} route is relay`,
    );
  }
  const b1 = await bytesIn(carla);
  await sleep(2500);
  expect(await bytesIn(carla), 'media flows through the relay').toBeGreaterThan(b1);
  await shot(carla, 'phone-03-client-in-call-relay');
  await shot(ana, 'staff-12-in-call-relay');
  await expectNoSidewaysScroll(carla, 'client call room');
  await checkA11y(carla, 'phone-client-call-room');
  await ana.setViewportSize({ width: 375, height: 812 });
  await sleep(200);
  await expectNoSidewaysScroll(ana, 'staff call room');
  await shot(ana, 'phone-07-staff-in-call', { fullPage: true });
  // At phone width the recent calls (with this call in progress) are cards, not a table
  // that scrolls sideways out of keyboard reach.
  await checkA11y(ana, 'phone-staff-call-room');
  await ana.setViewportSize({ width: 1280, height: 800 });
  // The connected report named the route: the server counts a relayed call (TURN share).
  expect(
    await server.metric('switchboard_ice_results_total', {
      result: 'connected',
      candidate_type: 'relay',
    }),
    'an ICE result with candidate_type relay',
  ).toBeGreaterThanOrEqual(1);

  // The relay stops answering: both pages say they are reconnecting, and recover after.
  coturn.pause();
  try {
    await byTestId(carla, 'reconnecting-banner').waitFor({ timeout: 15_000 });
    await byTestId(ana, 'reconnecting-banner').waitFor({ timeout: 5000 });
    await shot(carla, 'phone-03b-client-reconnecting');
    await shot(ana, 'staff-12b-reconnecting');
  } finally {
    coturn.resume();
  }
  await waitPhase(carla, 'connected', 15_000);
  await waitPhase(ana, 'connected', 15_000);
  await byTestId(carla, 'reconnecting-banner').waitFor({ state: 'detached', timeout: 5000 });
  const b2 = await bytesIn(carla);
  await sleep(2500);
  expect(await bytesIn(carla), 'media flows again through the relay').toBeGreaterThan(b2);
  await byTestId(carla, 'hangup-button').click();
  await carla
    .locator('[data-testid="call-summary"][data-outcome="ended"]')
    .waitFor({ timeout: 10_000 });
  await sleep(800);
  await shot(carla, 'phone-04-client-summary');
  await expectNoSidewaysScroll(carla, 'client end summary');
});
