import { setTimeout as sleep } from 'node:timers/promises';
import { goAvailable, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, eventually, shot, waitPhase } from '../support/page-checks.mjs';

/** Video bytes the page has received so far, straight from its peer connection. */
const videoBytesIn = (page) =>
  page.evaluate(async () => {
    let bytes = 0;
    (await window.__switchboard.peer.pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') bytes += s.bytesReceived;
    });
    return bytes;
  });

test('an unplugged camera mid-call is replaced by the default one and video keeps flowing', async ({
  peers,
}) => {
  const org = `org-unplug-${uid()}`;
  const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
  await goAvailable(ana);
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
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
  expect(after, 'the track changed').not.toBe(before);
  await byTestId(carla, 'devices-toggle').click();
  await byTestId(carla, 'device-panel').waitFor({ timeout: 5000 });
  const cams = await byTestId(carla, 'camera-select').locator('option').count();
  expect(cams, 'camera picker lists the default and the devices').toBeGreaterThanOrEqual(2);
  await shot(carla, 'client-14-devices-panel');
  const v1 = await videoBytesIn(ana);
  await sleep(2000);
  expect(await videoBytesIn(ana), 'staff still receives video').toBeGreaterThan(v1);
  await byTestId(carla, 'hangup-button').click();
  await ana.locator('[data-testid="call-summary"]').waitFor({ timeout: 10_000 });
});
