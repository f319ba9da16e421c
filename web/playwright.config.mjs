// The end-to-end suite (npm run e2e): the real server, coturn and Debian's Chromium, in a
// loopback-only network namespace (tests/e2e/netns.mjs). One worker: the scenarios share one
// server and one coturn, and two WebRTC peers are already a load for this machine.
import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_FLAGS } from './tests/e2e/support/env.mjs';

export default defineConfig({
  testDir: 'tests/e2e/specs',
  globalSetup: './tests/e2e/support/global-setup.mjs',
  outputDir: 'test-results/artifacts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  timeout: 90_000,
  reporter: [['list'], ['html', { outputFolder: 'test-results/report', open: 'never' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_FLAGS },
    viewport: { width: 1280, height: 800 },
    // Actions, DOM snapshots, console and network; no screencast: filming pages that play video
    // costs this machine's two cores enough to slow every call (a test took twice as long).
    trace: { mode: 'retain-on-failure', screenshots: false },
    screenshot: 'only-on-failure',
  },
});
