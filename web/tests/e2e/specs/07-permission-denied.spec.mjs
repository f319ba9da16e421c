import { goAvailable, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, checkA11y, shot } from '../support/page-checks.mjs';

test('permission denied shows the step-by-step help', async ({ peers }) => {
  const org = `org-denied-${uid()}`;
  const carla = await peers.openAs({
    org,
    sub: 'carla',
    role: 'client',
    name: 'Carla',
    grant: false,
    initScript: () => {
      const deny = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      navigator.mediaDevices.getUserMedia = deny;
      const query = navigator.permissions.query.bind(navigator.permissions);
      navigator.permissions.query = (d) =>
        d && (d.name === 'camera' || d.name === 'microphone')
          ? Promise.resolve({ state: 'prompt', onchange: null })
          : query(d);
    },
  });
  await byTestId(carla, 'call-button').click();
  await byTestId(carla, 'permission-explain').waitFor({ timeout: 5000 });
  await shot(carla, 'client-02-permission-explain');
  await checkA11y(carla, 'client-permission-explain');
  await byTestId(carla, 'permission-allow').click();
  await byTestId(carla, 'permission-denied').waitFor({ timeout: 5000 });
  const steps = await byTestId(carla, 'permission-help').locator('li').count();
  expect(steps, 'help has steps').toBeGreaterThanOrEqual(3);
  await shot(carla, 'client-10-permission-denied');
  await checkA11y(carla, 'client-permission-denied');

  // A staff member whose camera is blocked accepts: media cannot start, the call fails.
  const sam = await peers.openAs({
    org,
    sub: 'sam',
    role: 'staff',
    name: 'Sam',
    grant: false,
    initScript: () => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    },
  });
  await goAvailable(sam);
  const cleo = await peers.openAs({ org, sub: 'cleo', role: 'client', name: 'Cleo' });
  await placeCall(cleo);
  await byTestId(sam, 'accept-button').click();
  // Sam's permission-denied screen lasts only until the server fails the call, which can be
  // at once: wait for the end the two pages settle on, not for that moment.
  await cleo
    .locator('[data-testid="call-summary"][data-outcome="failed"]')
    .waitFor({ timeout: 10_000 });
  await shot(cleo, 'client-16-failed');
  const told = await sam
    .locator('[data-testid="call-summary"][data-outcome="failed"] [data-testid="summary-detail"]')
    .textContent({ timeout: 10_000 });
  expect(told, 'staff told why').toMatch(/Your camera or microphone could not start/);
  await shot(sam, 'staff-15-camera-blocked-on-accept');
});
