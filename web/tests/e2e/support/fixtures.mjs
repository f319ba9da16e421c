// The Playwright fixtures every scenario uses. Per worker (workers: 1, so once for the run unless
// a failure restarts the worker): a temporary directory, coturn, and the main server offering that
// coturn as STUN/TURN. Per test: `peers` (browser contexts on the worker's Chromium, closed after
// the test) and `startServer` (servers of the test's own, with other flags, stopped after it).
// A failed test's report carries its pages' console output and the servers' logs; Playwright adds
// the trace and a screenshot of every page.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from '@playwright/test';
import { Coturn } from './coturn.mjs';
import { LOGS } from './env.mjs';
import { Peers } from './peers.mjs';
import { SwitchboardServer } from './server.mjs';

export { expect } from '@playwright/test';

const LOG_TAIL_CHARS = 200_000;
const MAIN_RING_TIMEOUT = '20s'; // long, so that a loaded machine never turns an answered call into a missed one

const failed = (testInfo) => testInfo.status !== testInfo.expectedStatus;

async function attachLog(testInfo, name, text) {
  await testInfo.attach(name, { body: text.slice(-LOG_TAIL_CHARS), contentType: 'text/plain' });
}

let extraServers = 0;

export const test = base.extend({
  workDir: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern.
    async ({}, use, workerInfo) => {
      const dir = mkdtempSync(join(tmpdir(), 'sb-e2e-'));
      await use(dir);
      // The servers and coturn have stopped by now: keep their logs.
      mkdirSync(LOGS, { recursive: true });
      for (const f of readdirSync(dir).filter((f) => f.endsWith('.log') || f === 'turn.out'))
        copyFileSync(join(dir, f), join(LOGS, `worker-${workerInfo.workerIndex}-${f}`));
      rmSync(dir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],

  coturn: [
    async ({ workDir }, use) => {
      const coturn = await Coturn.start(workDir);
      await use(coturn);
      await coturn.stop();
    },
    { scope: 'worker', timeout: 30_000 },
  ],

  server: [
    async ({ workDir, coturn }, use) => {
      const server = await SwitchboardServer.start({
        dir: workDir,
        name: 'server',
        args: ['--ring-timeout', MAIN_RING_TIMEOUT, ...coturn.serverArgs()],
      });
      await use(server);
      await server.stop();
    },
    { scope: 'worker', timeout: 30_000 },
  ],

  /** On failure, what the main server and coturn said goes into the test's report. */
  serverLogs: [
    async ({ workDir, server }, use, testInfo) => {
      await use();
      if (!failed(testInfo)) return;
      await attachLog(testInfo, 'server.log', server.output());
      const turnLog = join(workDir, 'turn.log');
      if (existsSync(turnLog)) await attachLog(testInfo, 'turn.log', readFileSync(turnLog, 'utf8'));
    },
    { auto: true },
  ],

  peers: async ({ browser, server }, use, testInfo) => {
    const peers = new Peers(browser, server);
    await use(peers);
    if (failed(testInfo)) await attachLog(testInfo, 'page-console.txt', peers.consoleReport());
    await peers.close();
  },

  /** Starts a server of the test's own: `{ dev = true, args = [] }` as SwitchboardServer.start. */
  startServer: async ({ workDir }, use, testInfo) => {
    const started = [];
    await use(async ({ dev, args } = {}) => {
      const server = await SwitchboardServer.start({
        dir: workDir,
        name: `extra-${extraServers++}`,
        dev,
        args,
      });
      started.push(server);
      return server;
    });
    for (const server of started) {
      if (failed(testInfo)) await attachLog(testInfo, `${server.name}.log`, server.output());
      await server.stop();
    }
  },
});
