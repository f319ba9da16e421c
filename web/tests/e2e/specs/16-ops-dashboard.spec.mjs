import { setTimeout as sleep } from 'node:timers/promises';
import {
  goAvailable,
  holdRequests,
  placeCall,
  recordBoardFrames,
  uid,
  valueOf,
} from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { api } from '../support/integrator.mjs';
import {
  byTestId,
  checkA11y,
  eventually,
  expectNoSidewaysScroll,
  shot,
  waitPhase,
} from '../support/page-checks.mjs';

/** The last hour after one ended, one declined, one cancelled and one missed call. */
const EXPECTED_FUNNEL = {
  'funnel-created': '4',
  'funnel-accepted': '1',
  'funnel-connected': '1',
  'funnel-ended': '1',
  'funnel-missed': '1',
  'funnel-declined': '1',
  'funnel-cancelled': '1',
  'funnel-failed': '0',
  'funnel-live': '0',
  'reason-ended-hangup': '1',
  'reason-missed-timeout': '1',
  'reason-declined-all_declined': '1',
  'reason-cancelled-caller_cancelled': '1',
};

test('ops dashboard: an admin sees live calls, the staff board change live, the last hour by outcome and reason', async ({
  peers,
  startServer,
}) => {
  // A server of its own: a short ring timeout gives a real missed call, and the last hour's
  // numbers are this test's calls only.
  const server = await startServer({ args: ['--ring-timeout', '8s'] });
  const org = `org-ops-${uid()}`;
  // The admin starts in the staff console and follows the header link.
  const ada = await peers.openAs({
    org,
    sub: 'ada',
    role: 'admin',
    name: 'Ada',
    server,
    path: '/staff',
  });
  await shot(ada, 'ops-00-admin-staff-console');
  await checkA11y(ada, 'admin-staff-console');
  const boardFrames = recordBoardFrames(ada); // the dashboard's socket opens on /ops
  await byTestId(ada, 'nav-ops').click();
  await byTestId(ada, 'ops-page').waitFor({ timeout: 10_000 });
  expect(new URL(ada.url()).pathname, 'on /ops').toBe('/ops');
  await ada
    .locator('[data-testid="connection-state"]', { hasText: 'Online' })
    .waitFor({ timeout: 10_000 });
  await byTestId(ada, 'funnel-empty')
    .filter({ hasText: 'No calls in the last hour' })
    .waitFor({ timeout: 10_000 });
  await byTestId(ada, 'live-calls-empty').waitFor({ timeout: 5000 });
  await byTestId(ada, 'worst-calls-empty').waitFor({ timeout: 5000 });
  await shot(ada, 'ops-01-empty', { fullPage: true });
  await checkA11y(ada, 'ops-empty');
  // Everything below happens without a reload of the dashboard.
  await ada.evaluate(() => {
    window.__sameDocument = true;
  });

  // Live staff board: Ana goes available, and the board says so from the board subscription
  // alone (the dashboard's own fetches of the board are held back meanwhile; since v1.1
  // `availability.updated` reaches only Ana's own connections).
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana', server });
  const releaseBoardFetches = await holdRequests(ada, '**/v1/staff/availability');
  await goAvailable(ana);
  await ada
    .locator('[data-testid="staff-row-ana"][data-status="available"][data-state="idle"]')
    .waitFor({ timeout: 5000 });
  expect(
    boardFrames.some((m) => m.type === 'board'),
    'the dashboard subscribed to the board and got its snapshot',
  ).toBe(true);
  expect(
    boardFrames.some((m) =>
      m.staff?.some((e) => e.id === 'ana' && e.status === 'available' && e.connected),
    ),
    `a board message named Ana available: ${JSON.stringify(boardFrames.map((m) => m.type))}`,
  ).toBe(true);
  await releaseBoardFetches();
  await shot(ada, 'ops-02-staff-available');

  // 1. Answered, connected, ended (through the pages: real media, real quality reports).
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla', server });
  await placeCall(carla);
  await byTestId(ana, 'accept-button').click();
  await waitPhase(ana, 'connected', 20_000);
  await waitPhase(carla, 'connected', 20_000);
  await ada
    .locator('[data-testid="staff-row-ana"][data-state="in_call"]')
    .waitFor({ timeout: 5000 });
  await ada
    .locator('[data-testid="live-calls"] tr[data-state="active"]', { hasText: 'Carla' })
    .waitFor({ timeout: 10_000 });
  const liveText = await byTestId(ada, 'live-calls').textContent();
  expect(liveText, 'live call row names Ana').toMatch(/Ana/);
  expect(liveText, 'live call row says in progress').toMatch(/In progress/);
  await sleep(4000); // a few 2 s quality samples from each side
  await shot(ada, 'ops-03-live-call', { fullPage: true });
  await checkA11y(ada, 'ops-live-call');
  await byTestId(ana, 'hangup-button').click();
  await carla
    .locator('[data-testid="call-summary"][data-outcome="ended"]')
    .waitFor({ timeout: 10_000 });
  await ada.locator('[data-testid="staff-row-ana"][data-state="idle"]').waitFor({ timeout: 5000 });

  // 2. Declined by the only staff member rung (created through the API, declined on the page).
  const dave = await server.token(org, 'dave', 'client', 'Dave');
  const declined = await api(server, dave, 'POST', '/calls', {});
  await byTestId(ana, 'incoming-modal').waitFor({ timeout: 10_000 });
  await byTestId(ana, 'decline-button').click();
  await eventually(
    async () => (await api(server, dave, 'GET', `/calls/${declined.id}`)).state === 'declined',
    10_000,
    'the call is declined',
  );

  // 3. Cancelled by the caller while ringing.
  const finn = await server.token(org, 'finn', 'client', 'Finn');
  const cancelled = await api(server, finn, 'POST', '/calls', {});
  await api(server, finn, 'POST', `/calls/${cancelled.id}/cancel`);

  // 4. Missed: nobody answers within the 8 s ring timeout. The dashboard shows it ringing.
  const eve = await server.token(org, 'eve', 'client', 'Eve');
  const missed = await api(server, eve, 'POST', '/calls', {});
  await byTestId(ana, 'incoming-modal').waitFor({ timeout: 10_000 });
  await ada
    .locator(`[data-testid="live-call-${missed.id}"][data-state="ringing"]`)
    .waitFor({ timeout: 7000 });
  await ada
    .locator('[data-testid="staff-row-ana"][data-state="ringing"]')
    .waitFor({ timeout: 5000 });
  await shot(ada, 'ops-04-ringing');
  const final = await eventually(
    async () => {
      const c = await api(server, eve, 'GET', `/calls/${missed.id}`);
      return c.state === 'missed' ? c : null;
    },
    15_000,
    'the call is missed',
  );
  expect(final.end_reason, 'missed reason').toBe('timeout');

  // The last hour, as the dashboard shows it (polled: within a few seconds).
  await eventually(
    async () => {
      const seen = {};
      for (const id of Object.keys(EXPECTED_FUNNEL)) seen[id] = await valueOf(ada, id);
      return JSON.stringify(seen) === JSON.stringify(EXPECTED_FUNNEL) ? seen : null;
    },
    15_000,
    `the funnel ${JSON.stringify(EXPECTED_FUNNEL)}`,
  );
  await byTestId(ada, 'live-calls-empty').waitFor({ timeout: 10_000 });
  expect(await byTestId(ada, 'timing-setup').getAttribute('data-count'), 'one answer time').toBe(
    '1',
  );
  expect(await byTestId(ada, 'timing-connect').getAttribute('data-count'), 'one connect time').toBe(
    '1',
  );
  expect(await valueOf(ada, 'ice-success'), 'ICE success 100 %').toBe('1');
  const iceText = await byTestId(ada, 'ops-ice').textContent();
  expect(iceText, 'ICE panel').toMatch(/100 %/);
  expect(iceText, 'ICE panel').toMatch(/1 connected, 0 failed/);
  const worst = ada.locator('[data-testid^="worst-call-"]');
  await worst.first().waitFor({ timeout: 10_000 });
  expect(await worst.count(), 'one call with quality reports').toBe(1);
  const worstText = await worst.first().textContent();
  expect(worstText, 'worst call row').toMatch(/Carla/);
  expect(worstText, 'worst call row').toMatch(/Ana/);
  const reasonsText = await byTestId(ada, 'funnel-reasons').textContent();
  expect(reasonsText, 'reasons in words').toMatch(/Nobody answered in time/);
  // Prose only, no wire codes beside it (issue 12): "Hung up", not "Hung up hangup".
  expect(reasonsText, 'no raw codes').not.toMatch(/hangup|all_declined|caller_cancelled|timeout/);
  expect(
    await ada.evaluate(() => window.__sameDocument === true),
    'the dashboard was never reloaded',
  ).toBe(true);
  await shot(ada, 'ops-05-last-hour', { fullPage: true });
  await checkA11y(ada, 'ops-last-hour');
  await ada.setViewportSize({ width: 375, height: 812 });
  await sleep(300);
  await expectNoSidewaysScroll(ada, 'ops dashboard');
  await shot(ada, 'phone-06-ops', { fullPage: true });
  await checkA11y(ada, 'phone-ops');

  // A staff member who is not an admin is told plainly.
  await ana.goto(`${server.base}/ops`);
  await byTestId(ana, 'ops-admins-only')
    .filter({ hasText: 'admins only' })
    .waitFor({ timeout: 10_000 });
  await shot(ana, 'ops-06-admins-only');
  await checkA11y(ana, 'ops-admins-only');
});
