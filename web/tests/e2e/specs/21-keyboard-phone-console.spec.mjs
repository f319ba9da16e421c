// Issue 12, items 5 to 7: a staff member on a phone answers and hangs up with the keyboard alone.
// After Accept the call (video and Hang up) is on screen and focus is on Mute; after hang-up focus
// is on the summary's main action, then back on the availability control. On both sides the
// remote video shows the whole frame (contained, not cropped), at desktop and at phone width.
import { goAvailable, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, checkA11y, eventually, shot, waitPhase } from '../support/page-checks.mjs';

const PHONE = { width: 375, height: 812 };
const focused = (page) => page.evaluate(() => document.activeElement?.dataset?.testid ?? null);

/** How the remote video's frame sits in its box. */
function remoteFrame(page) {
  return page.locator('[data-testid="remote-video"]').evaluate((v) => {
    const fit = getComputedStyle(v).objectFit;
    const bw = v.clientWidth;
    const bh = v.clientHeight;
    const scale = fit === 'contain' ? Math.min(bw / v.videoWidth, bh / v.videoHeight) : 0;
    return {
      fit,
      box: [bw, bh],
      frame: [v.videoWidth, v.videoHeight],
      shown: [Math.round(v.videoWidth * scale), Math.round(v.videoHeight * scale)],
    };
  });
}

async function expectWholeFrame(page, who) {
  const f = await eventually(
    async () => {
      const r = await remoteFrame(page);
      return r.frame[0] > 0 ? r : null;
    },
    10_000,
    `${who}: the remote video has a size`,
  );
  expect(f.fit, `${who}: remote video is contained, never cropped (${JSON.stringify(f)})`).toBe(
    'contain',
  );
  expect(f.shown[0], `${who}: the whole frame's width fits`).toBeLessThanOrEqual(f.box[0] + 1);
  expect(f.shown[1], `${who}: the whole frame's height fits`).toBeLessThanOrEqual(f.box[1] + 1);
  // Not a stamp in a big black box either: the frame fills most of it.
  const filled = (f.shown[0] * f.shown[1]) / (f.box[0] * f.box[1]);
  expect(filled, `${who}: share of the box the frame fills`).toBeGreaterThan(0.5);
}

test('phone staff console, keyboard only: Accept puts the call on screen with focus on Mute; hang up leads focus to the summary, then to the status', async ({
  peers,
}) => {
  const org = `org-keys-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana', viewport: PHONE });
  await goAvailable(ana);
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  await placeCall(carla);
  await byTestId(ana, 'incoming-modal').waitFor({ timeout: 10_000 });
  expect(await focused(ana), 'the ringing dialog focuses Accept').toBe('accept-button');
  await ana.keyboard.press('Enter');
  await waitPhase(ana, 'connected', 20_000);
  await waitPhase(carla, 'connected', 20_000);

  expect(await focused(ana), 'after Accept, focus is on Mute').toBe('mute-button');
  // The call is on screen: its video and Hang up above the fold, not under the status cards.
  for (const id of ['remote-video', 'hangup-button']) {
    const box = await byTestId(ana, id).boundingBox();
    expect(box.y, `${id} top on screen`).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height, `${id} bottom on screen`).toBeLessThanOrEqual(PHONE.height);
  }
  await expectWholeFrame(ana, 'staff at 375 px');
  await expectWholeFrame(carla, 'client at 1280 px');
  await shot(ana, 'phone-21-staff-in-call-after-accept');
  await shot(carla, 'client-21-remote-video-contained');
  await checkA11y(ana, 'phone-staff-call-room');
  await carla.setViewportSize(PHONE);
  await expectWholeFrame(carla, 'client at 375 px');
  await shot(carla, 'phone-21-client-remote-video-contained');

  // Tab from Mute to Hang up, Enter.
  for (let i = 0; i < 6 && (await focused(ana)) !== 'hangup-button'; i++)
    await ana.keyboard.press('Tab');
  expect(await focused(ana)).toBe('hangup-button');
  await ana.keyboard.press('Enter');
  await ana
    .locator('[data-testid="call-summary"][data-outcome="ended"]')
    .waitFor({ timeout: 10_000 });
  await eventually(async () => (await focused(ana)) === 'summary-close', 2000, 'summary focus');
  await shot(ana, 'phone-21-staff-summary-focused');
  await checkA11y(ana, 'phone-staff-summary');
  await ana.keyboard.press('Enter');
  await byTestId(ana, 'staff-idle').waitFor({ timeout: 5000 });
  expect(await focused(ana), 'back in the console, focus is on the status control').toBe('go-away');
});
