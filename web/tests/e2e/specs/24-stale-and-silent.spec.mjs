// Issue 12 item 10: nothing stale and nothing silent. The sign-in page loads without a failed
// request; the caller hears a ringback and sees how long it has rung; other staff members' Recent
// calls follow the call within about a second, whether they were rung for it or not; and a whole
// call logs no console warning or error on any page (the end of candidates is no longer refused).
import { goAvailable, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, checkA11y, eventually, shot, waitPhase } from '../support/page-checks.mjs';

/** Every answer of 400 or more a page gets, as "<status> <url>". */
function failedResponses(page) {
  const failed = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  return failed;
}

/** The Outcome cell of `callId` in a staff page's Recent calls (its `data-state`). */
const rowState = (page, callId) =>
  page
    .locator(`[data-testid="recent-calls"] tr[data-call-id="${callId}"] .pill`)
    .getAttribute('data-state', { timeout: 500 })
    .catch(() => null);

/** Polls the server every 50 ms until the call is in `state` (the moment the pages are measured from). */
async function serverSays(server, token, callId, state) {
  await eventually(
    async () => {
      const r = await fetch(`${server.base}/v1/calls/${callId}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      return r.ok && (await r.json()).state === state;
    },
    20_000,
    `the server: ${state}`,
  );
}

/** How long until `page`'s row for `callId` says `state`; fails past `ms`. */
async function rowReaches(page, callId, state, ms) {
  const started = Date.now();
  await eventually(
    async () => (await rowState(page, callId)) === state,
    ms,
    `Recent calls: ${state}`,
  );
  return Date.now() - started;
}

test('the sign-in page asks without a failed request, with --dev and without', async ({
  peers,
  server,
  startServer,
}) => {
  const page = await peers.newPage({ label: 'Dana' });
  const failed = failedResponses(page);
  await page.goto(`${server.base}/signin`);
  await page.locator('[data-testid="signin-page"][data-dev="on"]').waitFor({ timeout: 10_000 });
  const plain = await startServer({
    dev: false,
    args: ['--jwt-secret', `s-${uid()}-${uid()}-${uid()}-${uid()}`],
  });
  await page.goto(`${plain.base}/signin`);
  await page.locator('[data-testid="signin-page"][data-dev="off"]').waitFor({ timeout: 10_000 });
  expect(failed, 'no error answers on load').toEqual([]);
  expect(peers.problems(page), 'no console warnings or errors').toEqual([]);
});

test('ringback and elapsed time while ringing; Recent calls follow the call within a second; a whole call logs no warning', async ({
  peers,
  server,
}) => {
  const org = `org-stale-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  const ben = await peers.openAs({ org, sub: 'ben', role: 'staff', name: 'Ben' });
  // Dora is away: never rung, so nothing about the call is pushed to her.
  const dora = await peers.openAs({ org, sub: 'dora', role: 'staff', name: 'Dora' });
  await goAvailable(ana);
  await goAvailable(ben);
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  const pages = [ana, ben, dora, carla];
  const failed = pages.map(failedResponses);

  await placeCall(carla);
  // The Call click allowed sound: the ringback plays (silently here: no sound card).
  const calling = byTestId(carla, 'calling');
  await eventually(
    async () => (await calling.getAttribute('data-ringback')) === 'playing',
    5000,
    'ringback playing',
  );
  const elapsed = byTestId(carla, 'calling-elapsed');
  await expect(elapsed).toHaveText(/^Ringing for 0:0\d$/);
  const first = await elapsed.textContent();
  await expect(elapsed).not.toHaveText(first ?? '', { timeout: 3000 }); // It ticks.
  await shot(carla, 'client-24-ringing-elapsed-ringback');
  await checkA11y(carla, 'client-ringing-elapsed');
  // One click turns the tone off, another on again.
  const toggle = byTestId(carla, 'ringback-toggle');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await expect(calling).toHaveAttribute('data-ringback', 'silent');
  await carla.setViewportSize({ width: 375, height: 812 });
  await shot(carla, 'phone-24-ringing-tone-off');
  await carla.setViewportSize({ width: 1280, height: 800 });
  await toggle.click();
  await expect(calling).toHaveAttribute('data-ringback', 'playing', { timeout: 3000 });

  // The ringing call is in every console's list, Dora's included.
  const row = ana.locator('[data-testid="recent-calls"] tr[data-call-id]').first();
  await row.waitFor({ timeout: 5000 });
  const callId = await row.getAttribute('data-call-id');
  await rowReaches(dora, callId, 'ringing', 3000);

  await byTestId(ana, 'incoming-modal').waitFor({ timeout: 10_000 });
  await byTestId(ana, 'accept-button').click();
  const observer = await server.token(org, 'eve', 'staff', 'Eve');
  await serverSays(server, observer, callId, 'active');
  for (const [who, page] of [
    ['Ben (rung)', ben],
    ['Dora (not rung)', dora],
  ]) {
    const took = await rowReaches(page, callId, 'active', 1500);
    test
      .info()
      .annotations.push({ type: 'recent-calls', description: `${who}: active after ${took} ms` });
  }
  await shot(dora, 'staff-24-recent-calls-in-progress');
  await waitPhase(carla, 'connected', 20_000);
  await waitPhase(ana, 'connected', 20_000);
  await expect(calling).toHaveCount(0); // The ringback stopped with the ringing screen.

  await byTestId(carla, 'hangup-button').click();
  await ana
    .locator('[data-testid="call-summary"][data-outcome="ended"]')
    .waitFor({ timeout: 10_000 });
  // The call is over on the server: the other consoles say so within about a second.
  for (const [who, page] of [
    ['Ben (rung)', ben],
    ['Dora (not rung)', dora],
  ]) {
    const took = await rowReaches(page, callId, 'ended', 1500);
    test
      .info()
      .annotations.push({ type: 'recent-calls', description: `${who}: ended after ${took} ms` });
  }
  await shot(ben, 'staff-24-recent-calls-completed');

  pages.forEach((page, i) => {
    expect(failed[i], `${['Ana', 'Ben', 'Dora', 'Carla'][i]}: no error answers`).toEqual([]);
    expect(
      peers.problems(page),
      `${['Ana', 'Ben', 'Dora', 'Carla'][i]}: no console warnings`,
    ).toEqual([]);
  });
});

/**
 * The strict autoplay policy for Web Audio, every time (as spec 18 does for media elements): an
 * AudioContext stays suspended until a real click or key press in this document.
 */
function strictWebAudio() {
  let gesture = false;
  const seen = (e) => {
    if (e.isTrusted) gesture = true;
  };
  addEventListener('pointerdown', seen, true);
  addEventListener('keydown', seen, true);
  const Real = window.AudioContext;
  window.AudioContext = class extends Real {
    constructor(...args) {
      super(...args);
      if (!gesture) void this.suspend();
    }
    resume() {
      return gesture ? super.resume() : new Promise(() => undefined);
    }
  };
}

test('a caller who reloads while ringing is told the ringing tone is silent; one click turns it on', async ({
  peers,
}) => {
  const org = `org-ringback-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  await goAvailable(ana);
  const carla = await peers.openAs({
    org,
    sub: 'carla',
    role: 'client',
    name: 'Carla',
    initScript: strictWebAudio,
  });
  await placeCall(carla);
  const calling = byTestId(carla, 'calling');
  await expect(calling).toHaveAttribute('data-ringback', 'playing', { timeout: 5000 });
  await carla.reload();
  await carla.locator('[data-testid="calling"][data-phase="ringing"]').waitFor({ timeout: 10_000 });
  await expect(calling).toHaveAttribute('data-ringback', 'blocked', { timeout: 5000 });
  const note = byTestId(carla, 'ringback-blocked');
  await expect(note).toContainText('keeps the ringing tone silent');
  await expect(byTestId(carla, 'calling-elapsed')).toHaveText(/^Ringing for 0:\d\d$/);
  await shot(carla, 'client-24-ringback-blocked');
  await checkA11y(carla, 'client-ringback-blocked');
  await note.getByRole('button', { name: 'Turn on sound' }).click();
  await expect(calling).toHaveAttribute('data-ringback', 'playing', { timeout: 3000 });
  await expect(note).toHaveCount(0);
  await byTestId(carla, 'hangup-button').click();
});
