// One person of a lab row: a headless Chromium running inside a home namespace, with one page
// signed in as staff or client. The page's RTCPeerConnections are kept (an init script) so the
// lab reads their stats as they are, both candidate types of the selected pair included.
import { createRequire } from 'node:module';
import { join } from 'node:path';

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

function trackPeerConnections() {
  const pcs = [];
  window.__netlabPcs = pcs;
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      pcs.push(this);
    }
  };
}

/** Runs in the page: what the newest peer connection's stats say now. */
async function readStats() {
  const pc = window.__netlabPcs.at(-1);
  if (!pc) return null;
  const report = new Map();
  (await pc.getStats()).forEach((s) => report.set(s.id, s));
  let pair = null;
  for (const s of report.values())
    if (s.type === 'transport' && s.selectedCandidatePairId)
      pair = report.get(s.selectedCandidatePairId);
  if (!pair)
    for (const s of report.values())
      if (s.type === 'candidate-pair' && (s.selected || (s.nominated && s.state === 'succeeded')))
        pair = s;
  let bytesIn = 0;
  let bytesOut = 0;
  for (const s of report.values()) {
    if (s.type === 'inbound-rtp') bytesIn += s.bytesReceived ?? 0;
    if (s.type === 'outbound-rtp') bytesOut += s.bytesSent ?? 0;
  }
  const candidate = (id) => {
    const c = id && report.get(id);
    return c
      ? {
          type: c.candidateType,
          protocol: c.protocol,
          relayProtocol: c.relayProtocol ?? null,
          address: c.address ?? c.ip ?? null,
          port: c.port,
        }
      : null;
  };
  return {
    state: pc.connectionState,
    bytesIn,
    bytesOut,
    local: candidate(pair?.localCandidateId),
    remote: candidate(pair?.remoteCandidateId),
    rttMs: pair?.currentRoundTripTime != null ? pair.currentRoundTripTime * 1000 : null,
    turnUsers: pc
      .getConfiguration()
      .iceServers.filter((s) => s.username)
      .map((s) => s.username),
  };
}

export class LabPeer {
  /** Call ids the page named in its requests (/v1/calls/<id>/...), and its ICE server fetches. */
  callIds = new Set();
  iceServerFetches = 0;
  console = [];

  constructor(name, browser, page) {
    this.name = name;
    this.browser = browser;
    this.page = page;
    page.on('request', (r) => {
      const url = r.url();
      const m = /\/v1\/calls\/([^/?]+)\//.exec(url);
      if (m) this.callIds.add(m[1]);
      if (url.includes('/v1/ice-servers')) this.iceServerFetches++;
    });
    page.on('console', (m) => this.console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.console.push(`pageerror: ${e.message}`));
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

  stats() {
    return this.page.evaluate(readStats);
  }

  /** Every peer connection's state, candidates and candidate pairs (for a failed row's log). */
  dump() {
    return this.page.evaluate(async () => {
      const out = [];
      for (const pc of window.__netlabPcs) {
        out.push(
          `pc ${pc.connectionState} ice ${pc.iceConnectionState} gathering ${pc.iceGatheringState}`,
        );
        (await pc.getStats()).forEach((s) => {
          if (s.type === 'local-candidate' || s.type === 'remote-candidate')
            out.push(
              `  ${s.type} ${s.id} ${s.candidateType} ${s.protocol} ${s.address}:${s.port} ${s.relayProtocol ?? ''} ${s.url ?? ''}`,
            );
          if (s.type === 'candidate-pair')
            out.push(
              `  pair ${s.localCandidateId} -> ${s.remoteCandidateId} ${s.state} nominated=${s.nominated} sent=${s.bytesSent} recv=${s.bytesReceived}`,
            );
          if (s.type === 'transport')
            out.push(`  transport selected=${s.selectedCandidatePairId} ${s.iceState ?? ''}`);
        });
      }
      return out.join('\n');
    });
  }

  async close() {
    await this.browser.close().catch(() => undefined);
  }
}
