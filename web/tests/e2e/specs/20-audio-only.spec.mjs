// Issue 12, item 4: camera blocked, microphone allowed: the call goes ahead audio-only, says so
// once and plainly, and the other side shows the caller's initial.
import { setTimeout as sleep } from 'node:timers/promises';
import { bytesIn, goAvailable, openStats, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import {
  byTestId,
  checkA11y,
  expectNoSidewaysScroll,
  shot,
  waitPhase,
} from '../support/page-checks.mjs';

/** The browser refuses the camera and allows the microphone (as site settings would). */
function cameraBlocked() {
  const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (c) =>
    c && c.video
      ? Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))
      : gum(c);
  const query = navigator.permissions.query.bind(navigator.permissions);
  navigator.permissions.query = (d) =>
    d && d.name === 'camera' ? Promise.resolve({ state: 'denied', onchange: null }) : query(d);
}

for (const [width, height, prefix] of [
  [1280, 800, 'client'],
  [375, 812, 'phone'],
]) {
  test(`camera refused, microphone allowed (${width} px): the call connects audio-only`, async ({
    peers,
  }) => {
    const org = `org-audio-${width}-${uid()}`;
    const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
    await goAvailable(ana);
    const carla = await peers.openAs({
      org,
      sub: 'carla',
      role: 'client',
      name: 'Carla',
      viewport: { width, height },
      initScript: cameraBlocked,
    });
    await placeCall(carla);
    expect(await byTestId(carla, 'calling-audio-only').textContent()).toBe(
      'Your camera is not available: you are calling with audio only.',
    );
    expect(await byTestId(carla, 'permission-denied').count(), 'no "blocked" screen').toBe(0);
    await byTestId(carla, 'local-preview-audio-only').waitFor({ timeout: 2000 });
    await shot(carla, `${prefix}-20-calling-audio-only`);
    await byTestId(ana, 'accept-button').click();
    await waitPhase(ana, 'connected', 20_000);
    await waitPhase(carla, 'connected', 20_000);

    expect(await byTestId(carla, 'audio-only-banner').textContent()).toBe(
      'Your camera is blocked, so this call is audio only. Ana sees your initial instead.',
    );
    const cam = byTestId(carla, 'camera-button');
    expect(await cam.isDisabled()).toBe(true);
    expect(await cam.textContent()).toBe('No camera');
    await byTestId(ana, 'remote-camera-off').waitFor({ timeout: 5000 });
    expect(await byTestId(ana, 'remote-camera-off').textContent()).toContain(
      'Carla’s camera is off',
    );

    // Sound flows both ways (the staff member's video reaches the caller too).
    await openStats(ana);
    await openStats(carla);
    await sleep(2500);
    const a1 = await bytesIn(ana);
    const c1 = await bytesIn(carla);
    await sleep(2500);
    expect(await bytesIn(ana), 'staff receives the caller’s audio').toBeGreaterThan(a1);
    expect(await bytesIn(carla), 'the caller receives media').toBeGreaterThan(c1);
    await shot(carla, `${prefix}-20-in-call-audio-only`);
    await shot(ana, `staff-20-caller-audio-only-${width}`);
    await checkA11y(carla, `${prefix}-call-room-audio-only`);
    await checkA11y(ana, `staff-call-room-caller-audio-only-${width}`);
    await expectNoSidewaysScroll(carla, 'audio-only call room');
    await byTestId(carla, 'hangup-button').click();
    await ana
      .locator('[data-testid="call-summary"][data-outcome="ended"]')
      .waitFor({ timeout: 10_000 });
  });
}
