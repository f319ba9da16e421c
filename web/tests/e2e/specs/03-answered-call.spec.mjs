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
import { byTestId, checkA11y, eventually, shot, waitPhase } from '../support/page-checks.mjs';

test('a client calls, two staff ring, one accepts, the other sees "answered by"; media, mute, camera, hang up, summaries', async ({
  peers,
  server,
}) => {
  const org = `org-main-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  const ben = await peers.openAs({ org, sub: 'ben', role: 'staff', name: 'Ben' });
  await goAvailable(ana);
  await goAvailable(ben);
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  await shot(carla, 'client-01-idle');
  await checkA11y(carla, 'client-idle');
  const hostConnected = { result: 'connected', candidate_type: 'host' };
  const hostBefore = await server.metric('switchboard_ice_results_total', hostConnected);
  await placeCall(carla);
  await shot(carla, 'client-03-ringing');
  await checkA11y(carla, 'client-ringing');

  for (const p of [ana, ben]) {
    await byTestId(p, 'incoming-modal').waitFor({ timeout: 10_000 });
    const caller = await byTestId(p, 'incoming-caller').textContent();
    expect(caller, 'incoming shows the caller').toContain('Carla');
  }
  // The "Go available" click unlocked audio: the ringtone plays (silently: no sound card).
  await eventually(
    async () =>
      (await ben.locator('[data-testid="staff-page"]').getAttribute('data-ringtone')) === 'audible',
    5000,
    'Ben ringtone audible',
  );
  await shot(ana, 'staff-03-incoming');
  await checkA11y(ana, 'staff-incoming-dialog');

  await byTestId(ana, 'accept-button').click();
  // Toasts last 4 s (they sit over the page): look for the caller's as soon as it can show.
  await Promise.all([
    byTestId(carla, 'toast-answered')
      .filter({ hasText: 'Answered by Ana' })
      .waitFor({ timeout: 5000 }),
    byTestId(ben, 'toast-answered_elsewhere')
      .filter({ hasText: 'Answered by Ana' })
      .waitFor({ timeout: 5000 }),
  ]);
  await byTestId(ben, 'incoming-modal').waitFor({ state: 'detached', timeout: 5000 });
  await eventually(
    async () =>
      (await ben.locator('[data-testid="staff-page"]').getAttribute('data-ringtone')) === 'silent',
    5000,
    'Ben stops ringing',
  );
  await shot(ben, 'staff-04-answered-by-ana');

  await waitPhase(ana, 'connected', 20_000);
  await waitPhase(carla, 'connected', 20_000);
  // The connected report named the route (host on loopback): the server's ICE metrics.
  await eventually(
    async () => (await server.metric('switchboard_ice_results_total', hostConnected)) > hostBefore,
    5000,
    'an ICE result with candidate_type host',
  );

  // Media flows both ways: received bytes grow on both pages.
  await openStats(ana);
  await openStats(carla);
  await sleep(2500);
  const a1 = await bytesIn(ana);
  const c1 = await bytesIn(carla);
  await sleep(2500);
  const a2 = await bytesIn(ana);
  const c2 = await bytesIn(carla);
  expect(a1, 'staff receives media').toBeGreaterThan(0);
  expect(a2, 'staff receives media').toBeGreaterThan(a1);
  expect(c1, 'client receives media').toBeGreaterThan(0);
  expect(c2, 'client receives media').toBeGreaterThan(c1);
  await shot(carla, 'client-04-in-call');
  await shot(ana, 'staff-05-in-call');
  await checkA11y(carla, 'client-call-room');
  await checkA11y(ana, 'staff-call-room');

  // Mute and camera off are seen on the other side.
  await byTestId(carla, 'mute-button').click();
  await byTestId(ana, 'remote-muted').waitFor({ timeout: 5000 });
  await byTestId(carla, 'camera-button').click();
  await byTestId(ana, 'remote-camera-off').waitFor({ timeout: 5000 });
  await shot(ana, 'staff-06-client-muted-camera-off');
  await shot(carla, 'client-05-muted-camera-off');
  await checkA11y(carla, 'client-call-room-muted-camera-off');
  await checkA11y(ana, 'staff-call-room-remote-muted');
  await byTestId(carla, 'mute-button').click();
  await byTestId(ana, 'remote-muted').waitFor({ state: 'detached', timeout: 5000 });
  await byTestId(carla, 'camera-button').click();
  await byTestId(ana, 'remote-camera-off').waitFor({ state: 'detached', timeout: 5000 });

  // Screen share (the fake UI flag picks a synthetic screen): the other side is told.
  await byTestId(ana, 'screen-button').click();
  await byTestId(carla, 'remote-screen').waitFor({ timeout: 10_000 });
  await sleep(1000);
  await shot(carla, 'client-05b-staff-shares-screen');
  await byTestId(ana, 'screen-button').click();
  await byTestId(carla, 'remote-screen').waitFor({ state: 'detached', timeout: 5000 });

  // Hang up: both see their summary.
  await byTestId(ana, 'hangup-button').click();
  for (const p of [ana, carla]) {
    await p
      .locator('[data-testid="call-summary"][data-outcome="ended"]')
      .waitFor({ timeout: 10_000 });
  }
  expect(await byTestId(carla, 'summary-who').textContent(), 'client summary says who').toContain(
    'Ana',
  );
  expect(await byTestId(ana, 'summary-who').textContent(), 'staff summary says who').toContain(
    'Carla',
  );
  // The server keeps a quality summary per participant from the posted samples (section 6).
  const quality = await eventually(
    () =>
      carla.evaluate(async () => {
        const sb = window.__switchboard;
        const call = await sb.rest.getCall(sb.store.getSnapshot().summary.callId);
        return call.quality?.caller?.samples > 0 && call.quality?.staff?.samples > 0
          ? call.quality
          : null;
      }),
    5000,
    'quality summaries for both participants on the ended call',
  );
  expect(quality.caller.candidate_type, 'caller candidate type').toBe('host');
  await sleep(300);
  await shot(carla, 'client-06-summary');
  await shot(ana, 'staff-07-summary');
  await checkA11y(carla, 'client-end-summary');
  await checkA11y(ana, 'staff-end-summary');
  // The rating: "thanks" only once the server answered 200, which its own counter shows.
  const feedbackRoute = { route: '/v1/calls/{id}/feedback', status: '200' };
  const rated = await server.metric('switchboard_http_requests_total', feedbackRoute);
  await byTestId(carla, 'rate-5').check({ force: true });
  const releaseFeedback = await holdRequests(carla, '**/v1/calls/*/feedback');
  await byTestId(carla, 'rate-submit').click();
  await carla.getByText('Sending…').waitFor({ timeout: 5000 });
  await sleep(300);
  expect(
    await byTestId(carla, 'feedback-thanks').count(),
    'no thanks before the server answered',
  ).toBe(0);
  await releaseFeedback();
  await byTestId(carla, 'feedback-thanks').waitFor({ timeout: 5000 });
  expect(
    await server.metric('switchboard_http_requests_total', feedbackRoute),
    'the server answered the rating 200',
  ).toBe(rated + 1);
  await shot(carla, 'client-07-rated');
  await checkA11y(carla, 'client-end-summary-rated');
  await byTestId(ana, 'summary-close').click();
  await byTestId(ana, 'recent-calls').getByText('Completed').first().waitFor({ timeout: 5000 });
  await shot(ana, 'staff-08-recent-calls');
});
