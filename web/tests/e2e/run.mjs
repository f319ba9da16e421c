#!/usr/bin/env node
// Runs the Playwright end-to-end tests against the real server binary and a real coturn, in a
// private network namespace whose only interface is loopback (when possible), and prints
// "N passed, N failed". Usage: npm run e2e [-- <name filter>]
// Env: SWITCHBOARD_BIN (default ../build/switchboard; a compiled binary only), CHROMIUM (default /usr/bin/chromium),
// SWITCHBOARD_WEB_DIST (default web/dist: the built front end the server serves),
// E2E_NETNS=0 to run in the host's network namespace.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, RESULTS, maybeReexecInNetns, shot } from './harness.mjs';
import { tests } from './tests.mjs';

const TEST_TIMEOUT_MS = 90_000;

async function main() {
  maybeReexecInNetns();
  const filter = process.argv[2];
  const selected = tests.filter((t) => !filter || t.name.includes(filter));
  // Fresh results: no screenshot or failure log of an earlier run is left to mislead.
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  const h = new Harness();
  let passed = 0;
  let failed = 0;
  const report = [];
  try {
    await h.startCoturn();
    await h.startServer();
    await h.launchBrowser();
  } catch (e) {
    console.error(`e2e: setup failed: ${e.message}`);
    await h.stop();
    console.log(`0 passed, ${selected.length} failed`);
    process.exit(1);
  }
  console.log(
    `e2e: server on ${h.base}, coturn on udp ${h.turnPort}${process.env.E2E_IN_NETNS ? ', loopback-only netns' : ''}`,
  );
  for (const t of selected) {
    const started = Date.now();
    let timer;
    try {
      await Promise.race([
        t.run(h),
        new Promise((_, rej) => {
          timer = setTimeout(
            () => rej(new Error(`timed out after ${TEST_TIMEOUT_MS} ms`)),
            TEST_TIMEOUT_MS,
          );
        }),
      ]);
      passed++;
      console.log(`  ✓ ${t.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      report.push({ name: t.name, ok: true });
    } catch (e) {
      failed++;
      console.log(
        `  ✗ ${t.name}\n      ${String(e.stack ?? e)
          .split('\n')
          .slice(0, 4)
          .join('\n      ')}`,
      );
      report.push({ name: t.name, ok: false, error: String(e.message ?? e) });
      let i = 0;
      const logLines = [];
      for (const ctx of h.contexts) {
        for (const p of ctx.pages()) {
          i++;
          await shot(p, `FAILED-${t.name.slice(0, 30).replace(/\W+/g, '-')}-${i}`).catch(
            () => undefined,
          );
          logLines.push(`--- page ${i} (${p.label ?? '?'}) ${p.url()}`, ...(p.consoleLines ?? []));
        }
      }
      writeFileSync(
        join(RESULTS, `FAILED-${t.name.slice(0, 30).replace(/\W+/g, '-')}.log`),
        logLines.join('\n'),
      );
    } finally {
      clearTimeout(timer);
      await h.closeContexts();
    }
  }
  writeFileSync(join(RESULTS, 'e2e-report.json'), JSON.stringify(report, null, 2));
  await h.stop();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
