// One person of a lab row: a headless Chromium running inside a home namespace, with one page
// signed in as staff or client, and the steps people take on it (the e2e suite's own). The
// page's RTCPeerConnections are kept (an init script) so the lab reads their stats as they are,
// both candidate types of the selected pair included. firefox-peer.mjs is the same for Firefox.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { goAvailable, openStats, placeCall } from '../../web/tests/e2e/support/call-steps.mjs';
import { byTestId, waitPhase } from '../../web/tests/e2e/support/page-checks.mjs';
import { dumpStats, readStats, trackPeerConnections } from './page-scripts.mjs';

const WEB = join(import.meta.dirname, '..', '..', 'web');
const { chromium } = createRequire(join(WEB, 'package.json'))('playwright-core');

const WRAPPER = join(import.meta.dirname, 'chromium-in-netns.sh');

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // The test certificate of coturn's turns: port is self-signed.
  '--ignore-certificate-errors',
];

/** What both kinds of lab peer record of their page: call ids named, ICE server fetches, console. */
export class PageRecord {
  /** Call ids the page named in its requests (/v1/calls/<id>/...). */
  callIds = new Set();
  iceServerFetches = 0;
  console = [];

  /** A console line, stamped with the wall-clock time (to line up both pages and the switch). */
  log(line) {
    this.console.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
  }

  /** The call the page named last. */
  lastCallId = null;

  request(url) {
    const m = /\/v1\/calls\/([^/?]+)\//.exec(url);
    if (m) {
      this.callIds.add(m[1]);
      this.lastCallId = m[1];
    }
    if (url.includes('/v1/ice-servers')) this.iceServerFetches++;
  }
}

export class LabPeer extends PageRecord {
  browserName = 'chromium';

  constructor(name, browser, page) {
    super();
    this.name = name;
    this.browser = browser;
    this.page = page;
    page.on('request', (r) => this.request(r.url()));
    page.on('console', (m) => this.log(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.log(`pageerror: ${e.message}`));
  }

  /** Starts Chromium in namespace `ns` and opens `base` + /staff or /client signed in. */
  static async open({ name, ns, base, token, role }) {
    const browser = await chromium.launch({
      executablePath: WRAPPER,
      env: { ...process.env, NETLAB_NS: ns },
      args: [...FLAGS, `--unsafely-treat-insecure-origin-as-secure=${base}`],
      headless: true,
      timeout: 30_000,
    });
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
    });
    await context.addInitScript(trackPeerConnections);
    const page = await context.newPage();
    const peer = new LabPeer(name, browser, page);
    await page.goto(`${base}/${role}?token=${encodeURIComponent(token)}`);
    await page
      .locator('[data-testid="connection-state"]', { hasText: 'Online' })
      .waitFor({ timeout: 15_000 });
    return peer;
  }

  goAvailable() {
    return goAvailable(this.page);
  }

  placeCall() {
    return placeCall(this.page);
  }

  accept() {
    return byTestId(this.page, 'accept-button').click({ timeout: 15_000 });
  }

  async hangUp() {
    await byTestId(this.page, 'hangup-button')
      .click({ timeout: 5000 })
      .catch(() => undefined);
  }

  waitPhase(phase, ms) {
    return waitPhase(this.page, phase, ms);
  }

  /** The end summary's explanation (the failure reason as people read it). */
  summaryDetail() {
    return byTestId(this.page, 'summary-detail').textContent();
  }

  openStats() {
    return openStats(this.page);
  }

  stats() {
    return this.page.evaluate(readStats);
  }

  /** Every peer connection's state, candidates and candidate pairs (for a failed row's log). */
  dump() {
    return this.page.evaluate(dumpStats);
  }

  async close() {
    await this.browser.close().catch(() => undefined);
  }
}
