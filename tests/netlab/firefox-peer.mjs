// A lab person on Firefox: Debian's firefox-esr inside a home namespace, driven by puppeteer-core
// over WebDriver BiDi (Playwright cannot drive a stock Firefox). Firefox serves BiDi on the home
// namespace's loopback, which the driver (in the public namespace) cannot reach: socat listens on
// the same port here and carries each connection into the home namespace.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import puppeteer from 'puppeteer-core';
import { dumpStats, readStats, trackPeerConnections } from './page-scripts.mjs';
import { PageRecord } from './peer.mjs';

const WRAPPER = join(import.meta.dirname, 'firefox-in-netns.sh');

const PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  // The lab's origin is plain http on a test address: let it have cameras all the same.
  'media.devices.insecure.enabled': true,
  'media.getusermedia.insecure.enabled': true,
  // Real addresses in host candidates (as Chromium gives them with camera permission).
  'media.peerconnection.ice.obfuscate_host_addresses': false,
};

let nextPort = 9300 + Math.floor(Math.random() * 500);

const sel = (id) => `[data-testid="${id}"]`;

export class FirefoxPeer extends PageRecord {
  browserName = 'firefox';

  constructor(name, browser, page, forward, profile) {
    super();
    this.name = name;
    this.browser = browser;
    this.page = page;
    this.forward = forward;
    this.profile = profile;
    page.on('request', (r) => this.request(r.url()));
    page.on('console', (m) => this.log(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.log(`pageerror: ${e.message}`));
  }

  static async open({ name, ns, base, token, role }) {
    const port = nextPort++;
    const forward = spawn(
      'socat',
      [
        `TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr`,
        `EXEC:ip netns exec ${ns} socat STDIO TCP\\:127.0.0.1\\:${port}`,
      ],
      { stdio: 'ignore' },
    );
    await sleep(200);
    const profile = mkdtempSync(join(tmpdir(), 'netlab-ff-'));
    let browser;
    try {
      browser = await puppeteer.launch({
        browser: 'firefox',
        executablePath: WRAPPER,
        env: { ...process.env, NETLAB_NS: ns },
        headless: true,
        debuggingPort: port,
        userDataDir: profile,
        extraPrefsFirefox: PREFS,
        protocolTimeout: 30_000,
        timeout: 30_000,
      });
    } catch (e) {
      forward.kill();
      throw e;
    }
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    await page.setViewport({ width: 1280, height: 800 });
    await page.evaluateOnNewDocument(trackPeerConnections);
    const peer = new FirefoxPeer(name, browser, page, forward, profile);
    await page.goto(`${base}/${role}?token=${encodeURIComponent(token)}`);
    await page.waitForFunction(
      (s) => document.querySelector(s)?.textContent?.includes('Online'),
      { timeout: 15_000 },
      sel('connection-state'),
    );
    return peer;
  }

  async goAvailable() {
    await this.page.locator(sel('go-available')).click();
    await this.page.waitForFunction(
      (s) => document.querySelector(s)?.textContent?.includes('Available'),
      { timeout: 10_000 },
      sel('my-status'),
    );
  }

  /** Presses Call; clicks through the explanation when the page shows it first. */
  async placeCall() {
    await this.page.locator(sel('call-button')).click();
    await this.page.waitForSelector(`${sel('permission-explain')}, ${sel('calling')}`, {
      timeout: 10_000,
    });
    if (await this.page.$(sel('permission-explain')))
      await this.page.locator(sel('permission-allow')).click();
    await this.page.waitForSelector(`${sel('calling')}[data-phase="ringing"]`, {
      timeout: 10_000,
    });
  }

  accept() {
    return this.page.locator(sel('accept-button')).setTimeout(15_000).click();
  }

  async hangUp() {
    await this.page
      .locator(sel('hangup-button'))
      .setTimeout(5000)
      .click()
      .catch(() => undefined);
  }

  async waitPhase(phase, ms = 15_000) {
    await this.page.waitForSelector(`[data-testid$="-page"][data-phase="${phase}"]`, {
      timeout: ms,
    });
  }

  summaryDetail() {
    return this.page.$eval(sel('summary-detail'), (e) => e.textContent);
  }

  async openStats() {
    if (!(await this.page.$(sel('stats-overlay'))))
      await this.page.locator(sel('stats-toggle')).click();
  }

  stats() {
    return this.page.evaluate(readStats);
  }

  dump() {
    return this.page.evaluate(dumpStats);
  }

  async close() {
    await this.browser.close().catch(() => undefined);
    this.forward.kill();
    rmSync(this.profile, { recursive: true, force: true });
  }
}
