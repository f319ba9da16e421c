// Issue 12, item 8: when the browser already refuses the camera and microphone, "Your browser will
// ask you next" would be wrong: the page goes straight to the help.
import { uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, checkA11y, shot } from '../support/page-checks.mjs';

test('access already denied: Call goes straight to the help, never to the explainer', async ({
  peers,
}) => {
  const carla = await peers.openAs({
    org: `org-denied-now-${uid()}`,
    sub: 'carla',
    role: 'client',
    name: 'Carla',
    grant: false,
    initScript: () => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      const query = navigator.permissions.query.bind(navigator.permissions);
      navigator.permissions.query = (d) =>
        d && (d.name === 'camera' || d.name === 'microphone')
          ? Promise.resolve({ state: 'denied', onchange: null })
          : query(d);
      // Remembers whether the explainer was ever on screen, even for a moment.
      window.__sawExplainer = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="permission-explain"]'))
          window.__sawExplainer = true;
      }).observe(document, { childList: true, subtree: true });
    },
  });
  await byTestId(carla, 'call-button').click();
  await byTestId(carla, 'permission-denied').waitFor({ timeout: 5000 });
  expect(await carla.evaluate(() => window.__sawExplainer), 'the explainer never showed').toBe(
    false,
  );
  expect(await carla.getByText('Your browser will ask you next').count()).toBe(0);
  expect(await byTestId(carla, 'permission-help').locator('li').count()).toBeGreaterThanOrEqual(3);
  await shot(carla, 'client-22-denied-straight-to-help');
  await checkA11y(carla, 'client-permission-denied-at-once');
});
