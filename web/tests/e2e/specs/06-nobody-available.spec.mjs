import { uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, checkA11y, eventually, shot } from '../support/page-checks.mjs';

test('with nobody available the client is told so, and the call is rolled back to idle', async ({
  peers,
}) => {
  const org = `org-empty-${uid()}`;
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  // First the device check: preview, level meter, pickers.
  await byTestId(carla, 'check-devices').click();
  await byTestId(carla, 'device-check-card').waitFor({ timeout: 5000 });
  await eventually(
    () =>
      byTestId(carla, 'camera-preview').evaluate(
        (v) => v instanceof HTMLVideoElement && v.readyState >= 2 && v.videoWidth > 0,
      ),
    10_000,
    'the camera preview plays',
  );
  await shot(carla, 'client-11-device-check');
  await checkA11y(carla, 'client-device-check');
  await byTestId(carla, 'device-check-done').click();
  await byTestId(carla, 'client-idle').waitFor({ timeout: 5000 });
  await byTestId(carla, 'call-button').click();
  await byTestId(carla, 'client-error')
    .filter({ hasText: 'Nobody is available' })
    .waitFor({ timeout: 10_000 });
  await byTestId(carla, 'client-idle').waitFor({ timeout: 5000 });
  const tracks = await carla.evaluate(() => window.__switchboard.getMediaSnapshot().local);
  expect(tracks, 'the camera is released').toBeNull();
  await shot(carla, 'client-12-nobody-available');
  await checkA11y(carla, 'client-nobody-available');
});
