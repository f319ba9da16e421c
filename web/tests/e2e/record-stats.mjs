#!/usr/bin/env node
// Records real getStats() reports for the stats sampler's unit tests. A two-peer call in Chromium
// against the real server, with the e2e harness (loopback-only network namespace when possible,
// fake camera and microphone, coturn offered as STUN/TURN as in the e2e suite): a client calls, a
// staff member accepts, and once media has flowed for a few seconds the caller's page takes two
// successive getStats() reports about 2 s apart. Each is written as the array of its stats
// objects, unchanged, to src/sdk/stats/fixtures/chromium-direct-call.json.
// Usage (after `make build`): npm run record-stats. Same env as the e2e runner (SWITCHBOARD_BIN,
// CHROMIUM, SWITCHBOARD_WEB_DIST, E2E_NETNS=0).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as prettier from 'prettier';
import { Harness, WEB_ROOT, byTestId, maybeReexecInNetns, waitPhase } from './harness.mjs';
import { goAvailable, placeCall } from './tests.mjs';

const OUT = join(WEB_ROOT, 'src', 'sdk', 'stats', 'fixtures', 'chromium-direct-call.json');
const SETTLE_MS = 4000; // past the first seconds, when the video encoder ramps up
const INTERVAL_MS = 2000; // the sampler's own interval

async function main() {
  maybeReexecInNetns();
  const h = new Harness();
  try {
    await h.startCoturn();
    await h.startServer();
    await h.launchBrowser();
    const org = `org-stats-${Math.random().toString(36).slice(2, 8)}`;
    const ana = await h.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
    await goAvailable(ana);
    const carla = await h.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
    await placeCall(carla);
    await byTestId(ana, 'incoming-modal').waitFor({ timeout: 10_000 });
    await byTestId(ana, 'accept-button').click();
    await waitPhase(ana, 'connected', 20_000);
    await waitPhase(carla, 'connected', 20_000);
    await sleep(SETTLE_MS);
    const take = () =>
      carla.evaluate(async () => [...(await window.__switchboard.peer.pc.getStats()).values()]);
    const t0 = await take();
    await sleep(INTERVAL_MS);
    const t1 = await take();
    const recorded = {
      description:
        'Two successive getStats() reports of the caller in a direct two-peer call on loopback ' +
        '(fake camera and microphone), recorded by tests/e2e/record-stats.mjs.',
      browser: `Chromium ${h.browser.version()}`,
      recordedAt: new Date().toISOString(),
      peer: 'caller (client page); the staff member who accepted made the offer',
      intervalMs: INTERVAL_MS,
      t0,
      t1,
    };
    const text = await prettier.format(JSON.stringify(recorded), {
      ...(await prettier.resolveConfig(OUT)),
      parser: 'json',
    });
    writeFileSync(OUT, text);
    console.log(`record-stats: ${t0.length} + ${t1.length} stats objects written to ${OUT}`);
    await byTestId(carla, 'hangup-button').click();
    await ana.locator('[data-testid="call-summary"]').waitFor({ timeout: 10_000 });
  } finally {
    await h.stop({ keepLogs: false });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
