import { setTimeout as sleep } from 'node:timers/promises';
import {
  bytesIn,
  goAvailable,
  holdRequests,
  openStats,
  placeCall,
  uid,
} from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, eventually, shot, waitPhase } from '../support/page-checks.mjs';

const ufrag = (page) =>
  page.evaluate(() => {
    const sdp = window.__switchboard.peer.pc.localDescription.sdp;
    return /a=ice-ufrag:(\S+)/.exec(sdp)[1];
  });

test('ICE restarts from both sides at once (glare) keep the call up: perfect negotiation', async ({
  peers,
}) => {
  const org = `org-restart-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  await goAvailable(ana);
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  await placeCall(carla);
  // While the accept is on its way the console says "Answering…".
  await byTestId(ana, 'incoming-modal').waitFor({ timeout: 10_000 });
  const releaseAccept = await holdRequests(ana, '**/v1/calls/*/accept');
  await byTestId(ana, 'accept-button').click();
  await byTestId(ana, 'accepting').waitFor({ timeout: 5000 });
  await shot(ana, 'staff-14-answering');
  await releaseAccept();
  await waitPhase(ana, 'connected', 20_000);
  await waitPhase(carla, 'connected', 20_000);
  const before = await Promise.all([ufrag(ana), ufrag(carla)]);
  // Both sides restart ICE at the same moment: a guaranteed offer collision.
  await Promise.all(
    [ana, carla].map((p) => p.evaluate(() => window.__switchboard.peer.restartIce('e2e glare'))),
  );
  await eventually(
    async () => {
      const now = await Promise.all([ufrag(ana), ufrag(carla)]);
      return now[0] !== before[0] && now[1] !== before[1];
    },
    15_000,
    'new ICE credentials on both sides',
  );
  for (const p of [ana, carla]) {
    await eventually(
      () => p.evaluate(() => window.__switchboard.peer.pc.signalingState === 'stable'),
      10_000,
      'signaling stable again',
    );
  }
  await waitPhase(ana, 'connected', 15_000);
  await waitPhase(carla, 'connected', 15_000);
  await openStats(carla);
  await sleep(2500);
  const b1 = await bytesIn(carla);
  await sleep(2500);
  expect(await bytesIn(carla), 'media still flows after the restarts').toBeGreaterThan(b1);
  await byTestId(carla, 'hangup-button').click();
  await ana
    .locator('[data-testid="call-summary"][data-outcome="ended"]')
    .waitFor({ timeout: 10_000 });
});
