// The end-to-end scenarios of issue 4, against the real server. Each test uses its own org, so
// staff of one test are never rung for another's calls.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  assert,
  assertNoSidewaysScroll,
  byTestId,
  checkA11y,
  eventually,
  shot,
  signJwt,
  waitPhase,
} from './harness.mjs';

const uid = () => Math.random().toString(36).slice(2, 8);

export async function goAvailable(page) {
  await byTestId(page, 'go-available').click();
  await byTestId(page, 'my-status').filter({ hasText: 'Available' }).waitFor({ timeout: 10_000 });
}

/** Presses Call; clicks through the explanation when the browser would prompt. */
export async function placeCall(page) {
  await byTestId(page, 'call-button').click();
  const explain = byTestId(page, 'permission-explain');
  const calling = byTestId(page, 'calling');
  await Promise.race([explain.waitFor({ timeout: 10_000 }), calling.waitFor({ timeout: 10_000 })]);
  // (The explanation's screenshot is taken in the permission test, under its own name.)
  if (await explain.isVisible()) await byTestId(page, 'permission-allow').click();
  await page.locator('[data-testid="calling"][data-phase="ringing"]').waitFor({ timeout: 10_000 });
}

async function bytesIn(page) {
  return Number(await byTestId(page, 'bytes-in').getAttribute('data-bytes'));
}

async function openStats(page) {
  if (!(await byTestId(page, 'stats-overlay').isVisible()))
    await byTestId(page, 'stats-toggle').click();
}

/** A REST call with a token, as an integrator's backend would make it; throws on non-2xx. */
async function api(base, token, method, path, body) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(`${base}/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} -> ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Holds a page's requests matching `pattern` until release() (to see an in-between screen). */
async function holdRequests(page, pattern) {
  let release;
  const held = new Promise((res) => (release = res));
  const handler = async (route) => {
    await held;
    await route.continue().catch(() => undefined);
  };
  await page.route(pattern, handler);
  return async () => {
    release();
    await page.unroute(pattern, handler);
  };
}

/**
 * Collects the staff board messages (`board`, `board.updated`, CONTRACT.md 11.1) that reach the
 * page's WebSockets from now on.
 */
function recordBoardFrames(page) {
  const frames = [];
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string' || !payload.includes('"board')) return;
      try {
        const m = JSON.parse(payload);
        if (m.type === 'board' || m.type === 'board.updated') frames.push(m);
      } catch {
        /* not JSON: not a board message */
      }
    }),
  );
  return frames;
}

/** The number a dashboard element shows in its data-value. */
async function valueOf(page, testId) {
  return page.locator(`[data-testid="${testId}"]`).getAttribute('data-value', { timeout: 2000 });
}

export const tests = [
  {
    name: 'dev sign-in picks org, user and role and lands on the staff console',
    async run(h) {
      const page = await h.newPage();
      await page.goto(`${h.base}/`);
      await byTestId(page, 'signin-page').waitFor({ timeout: 10_000 });
      await byTestId(page, 'signin-org').fill(`org-signin-${uid()}`);
      await byTestId(page, 'signin-sub').fill('dana');
      await byTestId(page, 'signin-name').fill('Dana');
      await byTestId(page, 'signin-role-staff').check();
      await shot(page, 'signin-01-form');
      await checkA11y(page, 'signin-dev');
      await byTestId(page, 'signin-submit').click();
      await byTestId(page, 'staff-page').waitFor({ timeout: 10_000 });
      assert(new URL(page.url()).pathname === '/staff', `landed on ${page.url()}`);
      await page
        .locator('[data-testid="connection-state"]', { hasText: 'Online' })
        .waitFor({ timeout: 10_000 });
      await shot(page, 'staff-01-console-away');
      await checkA11y(page, 'staff-console-away');
      await goAvailable(page);
      await shot(page, 'staff-02-console-available');
      await checkA11y(page, 'staff-console-available');
      await page.setViewportSize({ width: 375, height: 812 });
      await assertNoSidewaysScroll(page, 'staff console');
      await shot(page, 'phone-05-staff-console');
      await checkA11y(page, 'phone-staff-console');
    },
  },
  {
    name: 'without --dev the sign-in page says dev sign-in is off, and a pasted JWT signs in',
    async run(h) {
      const secret = 'e2e-not-dev-secret-of-the-integrating-app';
      const base = await h.startExtraServer({ dev: false, args: ['--jwt-secret', secret] });
      const page = await h.newPage({ origin: base });
      // A signed-out visitor is sent to /signin, which asked the server: no dev picker here.
      await page.goto(`${base}/`);
      await byTestId(page, 'signin-integrator').waitFor({ timeout: 10_000 });
      assert(new URL(page.url()).pathname === '/signin', `on /signin: ${page.url()}`);
      assert((await byTestId(page, 'signin-org').count()) === 0, 'no dev sign-in form');
      const text = await byTestId(page, 'signin-dev-off').textContent();
      assert(/--dev/.test(text), `explains dev mode is off: ${text}`);
      await shot(page, 'signin-02-dev-mode-off');
      await checkA11y(page, 'signin-integrator');
      // A token the server does not accept (signed with another secret) is refused plainly.
      const claims = { sub: 'iris', org: `org-jwt-${uid()}`, role: 'client', name: 'Iris' };
      await byTestId(page, 'signin-jwt').fill(signJwt('not-the-secret-of-this-server', claims));
      await byTestId(page, 'signin-jwt-submit').click();
      const refused = await byTestId(page, 'signin-jwt-error').textContent({ timeout: 10_000 });
      assert(/did not accept/.test(refused), `says the token was refused: ${refused}`);
      await shot(page, 'signin-03-token-refused');
      await checkA11y(page, 'signin-token-refused');
      // The integrating app's token: the client page, online.
      await byTestId(page, 'signin-jwt').fill(signJwt(secret, claims));
      await byTestId(page, 'signin-jwt-submit').click();
      await byTestId(page, 'client-idle').waitFor({ timeout: 10_000 });
      assert(new URL(page.url()).pathname === '/client', `landed on ${page.url()}`);
      await page
        .locator('[data-testid="connection-state"]', { hasText: 'Online' })
        .waitFor({ timeout: 10_000 });
    },
  },
  {
    name: 'a client calls, two staff ring, one accepts, the other sees "answered by"; media, mute, camera, hang up, summaries',
    async run(h) {
      const org = `org-main-${uid()}`;
      const ana = await h.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
      const ben = await h.openAs({ org, sub: 'ben', role: 'staff', name: 'Ben' });
      await goAvailable(ana);
      await goAvailable(ben);
      const carla = await h.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
      await shot(carla, 'client-01-idle');
      await checkA11y(carla, 'client-idle');
      const hostBefore = await h.metric('switchboard_ice_results_total', {
        result: 'connected',
        candidate_type: 'host',
      });
      await placeCall(carla);
      await shot(carla, 'client-03-ringing');
      await checkA11y(carla, 'client-ringing');

      for (const p of [ana, ben]) {
        await byTestId(p, 'incoming-modal').waitFor({ timeout: 10_000 });
        const caller = await byTestId(p, 'incoming-caller').textContent();
        assert(caller.includes('Carla'), `incoming shows the caller: ${caller}`);
      }
      // The "Go available" click unlocked audio: the ringtone plays (silently: no sound card).
      await eventually(
        async () =>
          (await ben.locator('[data-testid="staff-page"]').getAttribute('data-ringtone')) ===
          'audible',
        5000,
        'Ben ringtone audible',
      );
      await shot(ana, 'staff-03-incoming');
      await checkA11y(ana, 'staff-incoming-dialog');

      await byTestId(ana, 'accept-button').click();
      await byTestId(ben, 'toast-answered_elsewhere')
        .filter({ hasText: 'Answered by Ana' })
        .waitFor({ timeout: 10_000 });
      await byTestId(ben, 'incoming-modal').waitFor({ state: 'detached', timeout: 5000 });
      await eventually(
        async () =>
          (await ben.locator('[data-testid="staff-page"]').getAttribute('data-ringtone')) ===
          'silent',
        5000,
        'Ben stops ringing',
      );
      await shot(ben, 'staff-04-answered-by-ana');

      await waitPhase(ana, 'connected', 20_000);
      await waitPhase(carla, 'connected', 20_000);
      // The connected report named the route (host on loopback): the server's ICE metrics.
      await eventually(
        async () =>
          (await h.metric('switchboard_ice_results_total', {
            result: 'connected',
            candidate_type: 'host',
          })) > hostBefore,
        5000,
        'an ICE result with candidate_type host',
      );
      await byTestId(carla, 'toast-answered')
        .filter({ hasText: 'Answered by Ana' })
        .waitFor({ timeout: 5000 });

      // Media flows both ways: received bytes grow on both pages.
      await openStats(ana);
      await openStats(carla);
      await sleep(2500);
      const a1 = await bytesIn(ana);
      const c1 = await bytesIn(carla);
      await sleep(2500);
      const a2 = await bytesIn(ana);
      const c2 = await bytesIn(carla);
      assert(a2 > a1 && a1 > 0, `staff receives media: ${a1} -> ${a2}`);
      assert(c2 > c1 && c1 > 0, `client receives media: ${c1} -> ${c2}`);
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
      const who = await byTestId(carla, 'summary-who').textContent();
      assert(who.includes('Ana'), `client summary says who: ${who}`);
      const who2 = await byTestId(ana, 'summary-who').textContent();
      assert(who2.includes('Carla'), `staff summary says who: ${who2}`);
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
      assert(
        quality.caller.candidate_type === 'host',
        `caller candidate type ${quality.caller.candidate_type}`,
      );
      await sleep(300);
      await shot(carla, 'client-06-summary');
      await shot(ana, 'staff-07-summary');
      await checkA11y(carla, 'client-end-summary');
      await checkA11y(ana, 'staff-end-summary');
      // The rating: "thanks" only once the server answered 200, which its own counter shows.
      const feedbackRoute = { route: '/v1/calls/{id}/feedback', status: '200' };
      const rated = await h.metric('switchboard_http_requests_total', feedbackRoute);
      await byTestId(carla, 'rate-5').check({ force: true });
      const releaseFeedback = await holdRequests(carla, '**/v1/calls/*/feedback');
      await byTestId(carla, 'rate-submit').click();
      await carla.getByText('Sending…').waitFor({ timeout: 5000 });
      await sleep(300);
      assert(
        (await byTestId(carla, 'feedback-thanks').count()) === 0,
        'no thanks before the server answered',
      );
      await releaseFeedback();
      await byTestId(carla, 'feedback-thanks').waitFor({ timeout: 5000 });
      assert(
        (await h.metric('switchboard_http_requests_total', feedbackRoute)) === rated + 1,
        'the server answered the rating 200',
      );
      await shot(carla, 'client-07-rated');
      await checkA11y(carla, 'client-end-summary-rated');
      await byTestId(ana, 'summary-close').click();
      await byTestId(ana, 'recent-calls').getByText('Completed').first().waitFor({ timeout: 5000 });
      await shot(ana, 'staff-08-recent-calls');
    },
  },
  {
    name: 'the only staff member declines: the client sees "declined"',
    async run(h) {
      const org = `org-decline-${uid()}`;
      const ana = await h.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
      await goAvailable(ana);
      const carla = await h.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
      await placeCall(carla);
      await byTestId(ana, 'incoming-modal').waitFor({ timeout: 10_000 });
      await byTestId(ana, 'decline-button').click();
      await byTestId(ana, 'incoming-modal').waitFor({ state: 'detached', timeout: 5000 });
      await carla
        .locator('[data-testid="call-summary"][data-outcome="declined"]')
        .waitFor({ timeout: 10_000 });
      await shot(carla, 'client-08-declined');
      await shot(ana, 'staff-09-after-decline');
    },
  },
  {
    name: 'nobody answers before a short --ring-timeout: both sides see "missed"',
    async run(h) {
      const org = `org-missed-${uid()}`;
      // A server of its own with a short ring timeout (the main one rings for 20 s, so that a
      // loaded machine does not turn the answered-call tests into missed calls).
      const base = await h.startExtraServer({ args: ['--ring-timeout', '4s'] });
      const ana = await h.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana', base });
      await goAvailable(ana);
      const carla = await h.openAs({ org, sub: 'carla', role: 'client', name: 'Carla', base });
      await placeCall(carla);
      await byTestId(ana, 'incoming-countdown').waitFor({ timeout: 10_000 });
      await shot(ana, 'staff-10-incoming-countdown');
      await carla
        .locator('[data-testid="call-summary"][data-outcome="missed"]')
        .waitFor({ timeout: 15_000 });
      await byTestId(ana, 'incoming-modal').waitFor({ state: 'detached', timeout: 5000 });
      await byTestId(ana, 'toast-missed').waitFor({ timeout: 5000 });
      await shot(carla, 'client-09-missed');
      await shot(ana, 'staff-11-missed-toast');
    },
  },
  {
    name: 'with nobody available the client is told so, and the call is rolled back to idle',
    async run(h) {
      const org = `org-empty-${uid()}`;
      const carla = await h.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
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
      assert(tracks === null, 'the camera is released');
      await shot(carla, 'client-12-nobody-available');
      await checkA11y(carla, 'client-nobody-available');
    },
  },
  {
    name: 'permission denied shows the step-by-step help',
    async run(h) {
      const org = `org-denied-${uid()}`;
      const carla = await h.openAs({
        org,
        sub: 'carla',
        role: 'client',
        name: 'Carla',
        grant: false,
        initScript: () => {
          const deny = () =>
            Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
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
      assert(steps >= 3, `help has steps (${steps})`);
      await shot(carla, 'client-10-permission-denied');
      await checkA11y(carla, 'client-permission-denied');

      // A staff member whose camera is blocked accepts: media cannot start, the call fails.
      const sam = await h.openAs({
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
      const cleo = await h.openAs({ org, sub: 'cleo', role: 'client', name: 'Cleo' });
      await placeCall(cleo);
      await byTestId(sam, 'accept-button').click();
      // Sam's permission-denied screen lasts only until the server fails the call, which can be
      // at once: wait for the end the two pages settle on, not for that moment.
      await cleo
        .locator('[data-testid="call-summary"][data-outcome="failed"]')
        .waitFor({ timeout: 10_000 });
      await shot(cleo, 'client-16-failed');
      const told = await sam
        .locator(
          '[data-testid="call-summary"][data-outcome="failed"] [data-testid="summary-detail"]',
        )
        .textContent({ timeout: 10_000 });
      assert(/Your camera or microphone could not start/.test(told), `staff told why: ${told}`);
      await shot(sam, 'staff-15-camera-blocked-on-accept');
    },
  },
  {
    name: 'a relay-only call goes through coturn (candidate type "relay" on both sides)',
    needsTurn: true,
    async run(h) {
      const org = `org-relay-${uid()}`;
      const ana = await h.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana', relay: true });
      await goAvailable(ana);
      const carla = await h.openAs({
        org,
        sub: 'carla',
        role: 'client',
        name: 'Carla',
        relay: true,
        viewport: { width: 375, height: 812 },
      });
      await shot(carla, 'phone-01-client-idle');
      await assertNoSidewaysScroll(carla, 'client idle page');
      await placeCall(carla);
      await shot(carla, 'phone-02-client-ringing');
      await assertNoSidewaysScroll(carla, 'client ringing');
      await byTestId(ana, 'accept-button').click();
      await waitPhase(ana, 'connected', 25_000);
      await waitPhase(carla, 'connected', 25_000);
      await openStats(ana);
      await openStats(carla);
      for (const p of [ana, carla]) {
        await eventually(
          async () => (await byTestId(p, 'candidate-type').textContent()) === 'relay',
          10_000,
          `${p.label} route is relay`,
        );
      }
      const b1 = await bytesIn(carla);
      await sleep(2500);
      assert((await bytesIn(carla)) > b1, 'media flows through the relay');
      await shot(carla, 'phone-03-client-in-call-relay');
      await shot(ana, 'staff-12-in-call-relay');
      await assertNoSidewaysScroll(carla, 'client call room');
      await checkA11y(carla, 'phone-client-call-room');
      await ana.setViewportSize({ width: 375, height: 812 });
      await sleep(200);
      await assertNoSidewaysScroll(ana, 'staff call room');
      await shot(ana, 'phone-07-staff-in-call', { fullPage: true });
      // At phone width the recent calls (with this call in progress) are cards, not a table
      // that scrolls sideways out of keyboard reach.
      await checkA11y(ana, 'phone-staff-call-room');
      await ana.setViewportSize({ width: 1280, height: 800 });
      // The connected report named the route: the server counts a relayed call (TURN share).
      assert(
        (await h.metric('switchboard_ice_results_total', {
          result: 'connected',
          candidate_type: 'relay',
        })) >= 1,
        'an ICE result with candidate_type relay',
      );

      // The relay stops answering: both pages say they are reconnecting, and recover after.
      h.pauseCoturn();
      try {
        await byTestId(carla, 'reconnecting-banner').waitFor({ timeout: 15_000 });
        await byTestId(ana, 'reconnecting-banner').waitFor({ timeout: 5000 });
        await shot(carla, 'phone-03b-client-reconnecting');
        await shot(ana, 'staff-12b-reconnecting');
      } finally {
        h.resumeCoturn();
      }
      await waitPhase(carla, 'connected', 15_000);
      await waitPhase(ana, 'connected', 15_000);
      await byTestId(carla, 'reconnecting-banner').waitFor({ state: 'detached', timeout: 5000 });
      const b2 = await bytesIn(carla);
      await sleep(2500);
      assert((await bytesIn(carla)) > b2, 'media flows again through the relay');
      await byTestId(carla, 'hangup-button').click();
      await carla
        .locator('[data-testid="call-summary"][data-outcome="ended"]')
        .waitFor({ timeout: 10_000 });
      await sleep(800);
      await shot(carla, 'phone-04-client-summary');
      await assertNoSidewaysScroll(carla, 'client end summary');
    },
  },
  {
    name: 'ICE restarts from both sides at once (glare) keep the call up: perfect negotiation',
    async run(h) {
      const org = `org-restart-${uid()}`;
      const ana = await h.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
      await goAvailable(ana);
      const carla = await h.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
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
      const ufrag = (p) =>
        p.evaluate(() => {
          const sdp = window.__switchboard.peer.pc.localDescription.sdp;
          return /a=ice-ufrag:(\S+)/.exec(sdp)[1];
        });
      const before = await Promise.all([ufrag(ana), ufrag(carla)]);
      // Both sides restart ICE at the same moment: a guaranteed offer collision.
      await Promise.all(
        [ana, carla].map((p) =>
          p.evaluate(() => window.__switchboard.peer.restartIce('e2e glare')),
        ),
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
      assert((await bytesIn(carla)) > b1, 'media still flows after the restarts');
      await byTestId(carla, 'hangup-button').click();
      await ana
        .locator('[data-testid="call-summary"][data-outcome="ended"]')
        .waitFor({ timeout: 10_000 });
    },
  },
  ...['client', 'staff'].map((who) => ({
    name: `the ${who} reloads the page mid-call: the call resumes from welcome and media flows again`,
    async run(h) {
      const org = `org-reload-${who}-${uid()}`;
      const ana = await h.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
      await goAvailable(ana);
      const carla = await h.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
      await placeCall(carla);
      await byTestId(ana, 'accept-button').click();
      await waitPhase(ana, 'connected', 20_000);
      await waitPhase(carla, 'connected', 20_000);
      await (who === 'client' ? carla : ana).reload();
      await waitPhase(carla, 'connected', 20_000);
      await waitPhase(ana, 'connected', 20_000);
      await openStats(carla);
      await openStats(ana);
      await sleep(2500);
      const c1 = await bytesIn(carla);
      const a1 = await bytesIn(ana);
      await sleep(2500);
      assert((await bytesIn(carla)) > c1, 'client receives media again');
      assert((await bytesIn(ana)) > a1, 'staff receives media again');
      await shot(who === 'client' ? carla : ana, `${who}-after-reload`);
      await byTestId(ana, 'hangup-button').click();
      await carla
        .locator('[data-testid="call-summary"][data-outcome="ended"]')
        .waitFor({ timeout: 10_000 });
    },
  })),
  {
    name: 'the server restarts mid-call: both pages reconnect and resync, the call goes on and ends cleanly',
    async run(h) {
      const org = `org-restart-srv-${uid()}`;
      const ana = await h.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
      await goAvailable(ana);
      const carla = await h.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
      await placeCall(carla);
      await byTestId(ana, 'accept-button').click();
      await waitPhase(ana, 'connected', 20_000);
      await waitPhase(carla, 'connected', 20_000);
      await h.restartServer();
      for (const p of [ana, carla]) {
        await p
          .locator('[data-testid="connection-state"]', { hasText: 'Online' })
          .waitFor({ timeout: 20_000 });
      }
      await shot(carla, 'client-13-after-server-restart');
      // Media is peer to peer: it never stopped. The call is still the same one on both sides.
      await waitPhase(carla, 'connected', 5000);
      await waitPhase(ana, 'connected', 5000);
      await byTestId(carla, 'hangup-button').click();
      for (const p of [ana, carla]) {
        await p
          .locator('[data-testid="call-summary"][data-outcome="ended"]')
          .waitFor({ timeout: 10_000 });
      }
    },
  },
  {
    name: 'an unplugged camera mid-call is replaced by the default one and video keeps flowing',
    async run(h) {
      const org = `org-unplug-${uid()}`;
      const ana = await h.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
      await goAvailable(ana);
      const carla = await h.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
      await placeCall(carla);
      await byTestId(ana, 'accept-button').click();
      await waitPhase(carla, 'connected', 20_000);
      const before = await carla.evaluate(() => {
        const track = window.__switchboard.getMediaSnapshot().local.getVideoTracks()[0];
        // What the browser does when a camera is pulled out: the track ends.
        track.stop();
        track.dispatchEvent(new Event('ended'));
        return track.id;
      });
      const after = await eventually(
        () =>
          carla.evaluate((old) => {
            const sb = window.__switchboard;
            const local = sb.getMediaSnapshot().local.getVideoTracks()[0];
            const sent = sb.peer.pc.getSenders().find((s) => s.track?.kind === 'video')?.track;
            return local && local.id !== old && local.readyState === 'live' && sent?.id === local.id
              ? local.id
              : null;
          }, before),
        10_000,
        'a new live camera track, sent to the other side',
      );
      assert(after !== before, 'the track changed');
      await byTestId(carla, 'devices-toggle').click();
      await byTestId(carla, 'device-panel').waitFor({ timeout: 5000 });
      const cams = await byTestId(carla, 'camera-select').locator('option').count();
      assert(cams >= 2, `camera picker lists the default and the devices (${cams})`);
      await shot(carla, 'client-14-devices-panel');
      const videoIn = () =>
        ana.evaluate(async () => {
          let bytes = 0;
          (await window.__switchboard.peer.pc.getStats()).forEach((s) => {
            if (s.type === 'inbound-rtp' && s.kind === 'video') bytes += s.bytesReceived;
          });
          return bytes;
        });
      const v1 = await videoIn();
      await sleep(2000);
      assert((await videoIn()) > v1, 'staff still receives video');
      await byTestId(carla, 'hangup-button').click();
      await ana.locator('[data-testid="call-summary"]').waitFor({ timeout: 10_000 });
    },
  },
  {
    name: 'a hidden staff tab shows a system notification for the incoming call (also when hidden while ringing)',
    async run(h) {
      const org = `org-notify-${uid()}`;
      const ana = await h.openAs({
        org,
        sub: 'ana',
        role: 'staff',
        name: 'Ana',
        initScript: () => {
          // Headless Chromium has no notification centre: record what the page shows instead.
          window.__notes = [];
          Object.defineProperty(document, 'visibilityState', { get: () => 'hidden' });
          window.Notification = class {
            static permission = 'granted';
            static requestPermission = () => Promise.resolve('granted');
            constructor(title, options) {
              window.__notes.push({ title, body: options?.body, tag: options?.tag });
            }
            close() {}
          };
        },
      });
      await goAvailable(ana);
      const ben = await h.openAs({
        org,
        sub: 'ben',
        role: 'staff',
        name: 'Ben',
        initScript: () => {
          window.__notes = [];
          let visibility = 'visible';
          Object.defineProperty(document, 'visibilityState', { get: () => visibility });
          window.__setVisibility = (v) => {
            visibility = v;
            document.dispatchEvent(new Event('visibilitychange'));
          };
          window.Notification = class {
            static permission = 'granted';
            static requestPermission = () => Promise.resolve('granted');
            constructor(title, options) {
              window.__notes.push({ title, body: options?.body, tag: options?.tag });
            }
            close() {}
          };
        },
      });
      await goAvailable(ben);
      const carla = await h.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
      await placeCall(carla);
      const notes = await eventually(
        () => ana.evaluate(() => (window.__notes.length ? window.__notes : null)),
        10_000,
        'a notification',
      );
      assert(notes.length === 1, `one notification: ${JSON.stringify(notes)}`);
      assert(notes[0].title === 'Carla is calling', `title: ${notes[0].title}`);
      // Ben's tab is visible when the ring starts and hidden afterwards: he is told then, once.
      await byTestId(ben, 'incoming-modal').waitFor({ timeout: 10_000 });
      await sleep(300);
      assert((await ben.evaluate(() => window.__notes.length)) === 0, 'no notification if visible');
      await ben.evaluate(() => window.__setVisibility('hidden'));
      await ben.evaluate(() => window.__setVisibility('visible'));
      await ben.evaluate(() => window.__setVisibility('hidden'));
      const later = await ben.evaluate(() => window.__notes);
      assert(later.length === 1, `one notification after hiding: ${JSON.stringify(later)}`);
      assert(later[0].title === 'Carla is calling', `title: ${later[0].title}`);
      // The caller gives up while it rings: her summary says so.
      await byTestId(carla, 'hangup-button').click();
      await carla
        .locator('[data-testid="call-summary"][data-outcome="cancelled"]')
        .waitFor({ timeout: 10_000 });
      await shot(carla, 'client-15-cancelled');
    },
  },
  {
    name: 'one audible tab: two tabs of the same staff member, only one plays the ringtone',
    async run(h) {
      const org = `org-tabs-${uid()}`;
      const tab1 = await h.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
      await goAvailable(tab1);
      const tab2 = await tab1.context().newPage();
      tab2.consoleLines = [];
      await tab2.goto(
        `${h.base}/staff?token=${encodeURIComponent(await h.token(org, 'ana', 'staff', 'Ana'))}`,
      );
      await tab2
        .locator('[data-testid="connection-state"]', { hasText: 'Online' })
        .waitFor({ timeout: 10_000 });
      await tab2.locator('h1').click(); // Any click unlocks the sound in that tab.
      const carla = await h.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
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
      assert(states.filter((s) => s === 'audible').length === 1, `exactly one audible: ${states}`);
      const other = states[0] === 'other-tab' ? tab1 : tab2;
      await shot(other, 'staff-13-ringing-in-other-tab');
      await byTestId(carla, 'hangup-button').click();
      await byTestId(tab1, 'incoming-modal').waitFor({ state: 'detached', timeout: 10_000 });
    },
  },
  {
    name: 'ops dashboard: an admin sees live calls, the staff board change live, the last hour by outcome and reason',
    async run(h) {
      // A server of its own: a short ring timeout gives a real missed call, and the last hour's
      // numbers are this test's calls only.
      const base = await h.startExtraServer({ args: ['--ring-timeout', '8s'] });
      const org = `org-ops-${uid()}`;
      // The admin starts in the staff console and follows the header link.
      const ada = await h.openAs({
        org,
        sub: 'ada',
        role: 'admin',
        name: 'Ada',
        base,
        path: '/staff',
      });
      await shot(ada, 'ops-00-admin-staff-console');
      await checkA11y(ada, 'admin-staff-console');
      const boardFrames = recordBoardFrames(ada); // the dashboard's socket opens on /ops
      await byTestId(ada, 'nav-ops').click();
      await byTestId(ada, 'ops-page').waitFor({ timeout: 10_000 });
      assert(new URL(ada.url()).pathname === '/ops', `on /ops: ${ada.url()}`);
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
      const ana = await h.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana', base });
      let release;
      const held = new Promise((res) => (release = res));
      const holdBoard = async (route) => {
        await held;
        await route.continue().catch(() => undefined);
      };
      await ada.route('**/v1/staff/availability', holdBoard);
      await goAvailable(ana);
      await ada
        .locator('[data-testid="staff-row-ana"][data-status="available"][data-state="idle"]')
        .waitFor({ timeout: 5000 });
      assert(
        boardFrames.some((m) => m.type === 'board'),
        'the dashboard subscribed to the board and got its snapshot',
      );
      assert(
        boardFrames.some((m) =>
          m.staff?.some((e) => e.id === 'ana' && e.status === 'available' && e.connected),
        ),
        `a board message named Ana available: ${JSON.stringify(boardFrames.map((m) => m.type))}`,
      );
      release();
      await ada.unroute('**/v1/staff/availability', holdBoard);
      await shot(ada, 'ops-02-staff-available');

      // 1. Answered, connected, ended (through the pages: real media, real quality reports).
      const carla = await h.openAs({ org, sub: 'carla', role: 'client', name: 'Carla', base });
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
      assert(/Ana/.test(liveText) && /In progress/.test(liveText), `live call row: ${liveText}`);
      await sleep(4000); // a few 2 s quality samples from each side
      await shot(ada, 'ops-03-live-call', { fullPage: true });
      await checkA11y(ada, 'ops-live-call');
      await byTestId(ana, 'hangup-button').click();
      await carla
        .locator('[data-testid="call-summary"][data-outcome="ended"]')
        .waitFor({ timeout: 10_000 });
      await ada
        .locator('[data-testid="staff-row-ana"][data-state="idle"]')
        .waitFor({ timeout: 5000 });

      // 2. Declined by the only staff member rung (created through the API, declined on the page).
      const dave = await h.token(org, 'dave', 'client', 'Dave', base);
      const declined = await api(base, dave, 'POST', '/calls', {});
      await byTestId(ana, 'incoming-modal').waitFor({ timeout: 10_000 });
      await byTestId(ana, 'decline-button').click();
      await eventually(
        async () => (await api(base, dave, 'GET', `/calls/${declined.id}`)).state === 'declined',
        10_000,
        'the call is declined',
      );

      // 3. Cancelled by the caller while ringing.
      const finn = await h.token(org, 'finn', 'client', 'Finn', base);
      const cancelled = await api(base, finn, 'POST', '/calls', {});
      await api(base, finn, 'POST', `/calls/${cancelled.id}/cancel`);

      // 4. Missed: nobody answers within the 8 s ring timeout. The dashboard shows it ringing.
      const eve = await h.token(org, 'eve', 'client', 'Eve', base);
      const missed = await api(base, eve, 'POST', '/calls', {});
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
          const c = await api(base, eve, 'GET', `/calls/${missed.id}`);
          return c.state === 'missed' ? c : null;
        },
        15_000,
        'the call is missed',
      );
      assert(final.end_reason === 'timeout', `missed reason ${final.end_reason}`);

      // The last hour, as the dashboard shows it (polled: within a few seconds).
      const expected = {
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
      await eventually(
        async () => {
          const seen = {};
          for (const id of Object.keys(expected)) seen[id] = await valueOf(ada, id);
          return JSON.stringify(seen) === JSON.stringify(expected) ? seen : null;
        },
        15_000,
        `the funnel ${JSON.stringify(expected)}`,
      );
      await byTestId(ada, 'live-calls-empty').waitFor({ timeout: 10_000 });
      assert(
        (await byTestId(ada, 'timing-setup').getAttribute('data-count')) === '1',
        'one answer time',
      );
      assert(
        (await byTestId(ada, 'timing-connect').getAttribute('data-count')) === '1',
        'one connect time',
      );
      assert((await valueOf(ada, 'ice-success')) === '1', 'ICE success 100 %');
      const iceText = await byTestId(ada, 'ops-ice').textContent();
      assert(/100 %/.test(iceText) && /1 connected, 0 failed/.test(iceText), `ICE: ${iceText}`);
      const worst = ada.locator('[data-testid^="worst-call-"]');
      await worst.first().waitFor({ timeout: 10_000 });
      assert((await worst.count()) === 1, 'one call with quality reports');
      const worstText = await worst.first().textContent();
      assert(/Carla/.test(worstText) && /Ana/.test(worstText), `worst call row: ${worstText}`);
      const reasonsText = await byTestId(ada, 'funnel-reasons').textContent();
      assert(/Nobody answered in time/.test(reasonsText), `reasons in words: ${reasonsText}`);
      assert(
        await ada.evaluate(() => window.__sameDocument === true),
        'the dashboard was never reloaded',
      );
      await shot(ada, 'ops-05-last-hour', { fullPage: true });
      await checkA11y(ada, 'ops-last-hour');
      await ada.setViewportSize({ width: 375, height: 812 });
      await sleep(300);
      await assertNoSidewaysScroll(ada, 'ops dashboard');
      await shot(ada, 'phone-06-ops', { fullPage: true });
      await checkA11y(ada, 'phone-ops');

      // A staff member who is not an admin is told plainly.
      await ana.goto(`${base}/ops`);
      await byTestId(ana, 'ops-admins-only')
        .filter({ hasText: 'admins only' })
        .waitFor({ timeout: 10_000 });
      await shot(ana, 'ops-06-admins-only');
      await checkA11y(ana, 'ops-admins-only');
    },
  },
];
