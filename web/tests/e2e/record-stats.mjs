#!/usr/bin/env node
// Records real getStats() reports for the stats sampler's unit tests. A two-peer call in Chromium
// against the real server, set up as in the e2e suite (loopback-only network namespace when
// possible, fake camera and microphone, coturn offered as STUN/TURN): a client calls, a staff
// member accepts, and once media has flowed for a few seconds the caller's page takes two
// successive getStats() reports about 2 s apart. Each is written as the array of its stats
// objects, unchanged, to packages/client/src/stats/fixtures/chromium-direct-call.json.
// Usage (after `make build`): npm run record-stats. Same env as the e2e suite (SWITCHBOARD_BIN,
// CHROMIUM, SWITCHBOARD_WEB_DIST, E2E_NETNS=0).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from '@playwright/test';
import * as prettier from 'prettier';
import { goAvailable, placeCall, uid } from './support/call-steps.mjs';
import { Coturn } from './support/coturn.mjs';
import { CHROMIUM, CHROMIUM_FLAGS, WEB_ROOT, requireWebDist } from './support/env.mjs';
import { byTestId, waitPhase } from './support/page-checks.mjs';
import { Peers } from './support/peers.mjs';
import { SwitchboardServer } from './support/server.mjs';

const OUT = join(WEB_ROOT, 'packages/client/src/stats/fixtures/chromium-direct-call.json');
const SETTLE_MS = 4000; // past the first seconds, when the video encoder ramps up
const INTERVAL_MS = 2000; // the sampler's own interval

async function record(server, browser) {
  const peers = new Peers(browser, server);
  try {
    const org = `org-stats-${uid()}`;
    const ana = await peers.openAs({ org, sub: 'ana', role: 'staff', name: 'Ana' });
    await goAvailable(ana);
    const carla = await peers.openAs({ org, sub: 'carla', role: 'client', name: 'Carla' });
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
      browser: `Chromium ${browser.version()}`,
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
    await peers.close();
  }
}

async function main() {
  requireWebDist();
  const dir = mkdtempSync(join(tmpdir(), 'sb-record-stats-'));
  let coturn;
  let server;
  let browser;
  try {
    coturn = await Coturn.start(dir);
    server = await SwitchboardServer.start({
      dir,
      name: 'server',
      args: ['--ring-timeout', '20s', ...coturn.serverArgs()],
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
    await record(server, browser);
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await coturn?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
