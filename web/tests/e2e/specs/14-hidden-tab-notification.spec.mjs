import { setTimeout as sleep } from 'node:timers/promises';
import { goAvailable, placeCall, uid } from '../support/call-steps.mjs';
import { expect, test } from '../support/fixtures.mjs';
import { byTestId, eventually, shot } from '../support/page-checks.mjs';

test('a hidden staff tab shows a system notification for the incoming call (also when hidden while ringing)', async ({
  peers,
}) => {
  const org = `org-notify-${uid()}`;
  const ana = await peers.openAs({
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
  const ben = await peers.openAs({
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
  const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
  await placeCall(carla);
  const notes = await eventually(
    () => ana.evaluate(() => (window.__notes.length ? window.__notes : null)),
    10_000,
    'a notification',
  );
  expect(notes, 'one notification').toHaveLength(1);
  expect(notes[0].title).toBe('Carla is calling');
  // Ben's tab is visible when the ring starts and hidden afterwards: he is told then, once.
  await byTestId(ben, 'incoming-modal').waitFor({ timeout: 10_000 });
  await sleep(300);
  expect(await ben.evaluate(() => window.__notes.length), 'no notification if visible').toBe(0);
  await ben.evaluate(() => window.__setVisibility('hidden'));
  await ben.evaluate(() => window.__setVisibility('visible'));
  await ben.evaluate(() => window.__setVisibility('hidden'));
  const later = await ben.evaluate(() => window.__notes);
  expect(later, 'one notification after hiding').toHaveLength(1);
  expect(later[0].title).toBe('Carla is calling');
  // The caller gives up while it rings: her summary says so.
  await byTestId(carla, 'hangup-button').click();
  await carla
    .locator('[data-testid="call-summary"][data-outcome="cancelled"]')
    .waitFor({ timeout: 10_000 });
  await shot(carla, 'client-15-cancelled');
});
