import { goAvailable, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, eventually, shot } from '../support/page-checks.mjs';

test('one audible tab: two tabs of the same staff member, only one plays the ringtone', async ({
  peers,
  server,
}) => {
  const org = `org-tabs-${uid()}`;
  const tab1 = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  await goAvailable(tab1);
  const tab2 = await tab1.context().newPage();
  await tab2.goto(
    `${server.base}/staff?token=${encodeURIComponent(await server.token(org, 'ana', 'staff', 'Ana'))}`,
  );
  await tab2
    .locator('[data-testid="connection-state"]', { hasText: 'Online' })
    .waitFor({ timeout: 10_000 });
  await tab2.locator('h1').click(); // Any click unlocks the sound in that tab.
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  await placeCall(carla);
  await byTestId(tab1, 'incoming-modal').waitFor({ timeout: 10_000 });
  await byTestId(tab2, 'incoming-modal').waitFor({ timeout: 10_000 });
  const states = await eventually(
    async () => {
      const s = await Promise.all(
        [tab1, tab2].map((p) =>
          p.locator('[data-testid="staff-page"]').getAttribute('data-ringtone'),
        ),
      );
      return s.includes('audible') && s.includes('other-tab') ? s : null;
    },
    5000,
    'one audible tab and one silent',
  );
  expect(
    states.filter((s) => s === 'audible'),
    'exactly one audible tab',
  ).toHaveLength(1);
  const other = states[0] === 'other-tab' ? tab1 : tab2;
  await shot(other, 'staff-13-ringing-in-other-tab');
  await byTestId(carla, 'hangup-button').click();
  await byTestId(tab1, 'incoming-modal').waitFor({ state: 'detached', timeout: 10_000 });
});
