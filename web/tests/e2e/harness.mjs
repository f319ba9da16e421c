// The e2e harness: starts the real server binary and coturn on loopback, launches Debian's
// Chromium through playwright-core with fake camera and microphone, and gives tests helpers.
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

export const WEB_ROOT = resolve(import.meta.dirname, '..', '..');
export const REPO_ROOT = resolve(WEB_ROOT, '..');
export const RESULTS = join(WEB_ROOT, 'test-results');
export const SCREENS = join(RESULTS, 'screens');
/**
 * The built front end the server serves: web/dist, or SWITCHBOARD_WEB_DIST (a copy of it, so that a
 * build running meanwhile in the same tree cannot empty it under the suite).
 */
export const WEB_DIST = process.env.SWITCHBOARD_WEB_DIST ?? join(WEB_ROOT, 'dist');

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

/**
 * Re-executes this script in a private network namespace whose only interface is loopback (when it
 * runs as root and `unshare` works; E2E_NETNS=0 to skip) and exits with its status.
 */
export function maybeReexecInNetns() {
  if (process.env.E2E_IN_NETNS || process.env.E2E_NETNS === '0') return false;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/unshare')) return false;
  const probe = spawnSync('unshare', ['--net', 'true']);
  if (probe.status !== 0) return false;
  const r = spawnSync(
    'unshare',
    [
      '--net',
      'sh',
      '-c',
      'ip link set lo up && exec "$@"',
      'sh',
      process.execPath,
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit', env: { ...process.env, E2E_IN_NETNS: '1' } },
  );
  process.exit(r.status ?? 1);
}

export function freeTcpPort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function freeUdpPort() {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const ok = await new Promise((res) => {
      const s = createSocket('udp4');
      s.once('error', () => res(false));
      s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free UDP port');
}

/**
 * The server under test: build/switchboard, or SWITCHBOARD_BIN (another build of it, e.g. with
 * sanitizers). Only a compiled executable is accepted, so the suite can never be pointed at a
 * script standing in for the server: it runs only against the real one.
 */
export function serverBinary() {
  const bin = process.env.SWITCHBOARD_BIN ?? join(REPO_ROOT, 'build', 'switchboard');
  if (!existsSync(bin))
    throw new Error(`server binary not found at ${bin}: run "make build" first`);
  const fd = openSync(bin, 'r');
  const magic = Buffer.alloc(4);
  readSync(fd, magic, 0, 4, 0);
  closeSync(fd);
  if (!magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])))
    throw new Error(
      `${bin} is not a compiled server (ELF): the e2e suite runs only against the real server`,
    );
  return bin;
}

function startProcess(name, cmd, args, logFile) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT });
  const chunks = [];
  const keep = (b) => {
    chunks.push(b);
    if (chunks.length > 4000) chunks.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, sig) => {
    child.exitedWith = code ?? sig;
    writeFileSync(logFile, Buffer.concat(chunks));
  });
  child.flushLog = () => writeFileSync(logFile, Buffer.concat(chunks));
  child.label = name;
  return child;
}

async function stopProcess(child) {
  if (!child || child.exitedWith !== undefined) return;
  const exited = new Promise((res) => child.once('exit', res));
  child.kill('SIGCONT'); // In case a test paused it and failed before resuming.
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

export class Harness {
  constructor({ ringTimeout = '20s', extraServerArgs = [] } = {}) {
    this.ringTimeout = ringTimeout;
    this.extraServerArgs = extraServerArgs;
    this.dir = mkdtempSync(join(tmpdir(), 'sb-e2e-'));
    this.turnSecret = `e2e-${Math.random().toString(36).slice(2)}`;
    this.contexts = [];
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async startCoturn() {
    this.turnPort = await freeUdpPort();
    const minPort = 40000 + Math.floor(Math.random() * 20000);
    const conf = [
      'listening-ip=127.0.0.1',
      'relay-ip=127.0.0.1',
      `listening-port=${this.turnPort}`,
      `min-port=${minPort}`,
      `max-port=${minPort + 100}`,
      'use-auth-secret',
      `static-auth-secret=${this.turnSecret}`,
      'realm=switchboard.test',
      'fingerprint',
      'no-tls',
      'no-dtls',
      'no-cli',
      'no-multicast-peers',
      // Test only: loopback peers. Production configs keep loopback and private ranges denied.
      'allow-loopback-peers',
      `userdb=${join(this.dir, 'turndb')}`,
      `pidfile=${join(this.dir, 'turnserver.pid')}`,
      `log-file=${join(this.dir, 'turn.log')}`,
      'simple-log',
    ].join('\n');
    const confFile = join(this.dir, 'turnserver.conf');
    writeFileSync(confFile, `${conf}\n`);
    this.coturn = startProcess(
      'coturn',
      '/usr/bin/turnserver',
      ['-c', confFile],
      join(this.dir, 'turn.out'),
    );
    await sleep(700);
    if (this.coturn.exitedWith !== undefined)
      throw new Error(`coturn exited early (${this.coturn.exitedWith})`);
  }

  /**
   * Network trouble on the relay path: coturn (our own child process) stops answering until
   * resumeCoturn(). Media of a relay-only call stops flowing meanwhile.
   */
  pauseCoturn() {
    if (this.coturn?.exitedWith !== undefined) throw new Error('coturn is not running');
    this.coturn.kill('SIGSTOP');
  }

  resumeCoturn() {
    if (this.coturn && this.coturn.exitedWith === undefined) this.coturn.kill('SIGCONT');
  }

  /** Sum of a Prometheus counter on `base`'s /metrics over the series matching `labels`. */
  async metric(name, labels = {}, base = this.base) {
    const text = await (await fetch(`${base}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      // Label values may hold braces (route="/v1/calls/{id}/feedback"): the value is after the last.
      const m = /^(\w+)\{(.*)\}\s+(\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const got = Object.fromEntries(
        [...m[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
      );
      if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[3]);
    }
    return sum;
  }

  /** A second server (own port and database) for tests that need other flags; stopped by stop(). */
  async startExtraServer({ dev = true, args = [] } = {}) {
    const bin = serverBinary();
    const port = await freeTcpPort();
    const n = (this.extras ??= []).length;
    const child = startProcess(
      `server-${n}`,
      bin,
      [
        '--listen',
        `127.0.0.1:${port}`,
        '--db',
        `sqlite:${join(this.dir, `extra-${n}.db`)}`,
        '--web-root',
        WEB_DIST,
        '--log-format',
        'text',
        ...(dev ? ['--dev'] : []),
        ...args,
      ],
      join(this.dir, `server-extra-${n}.log`),
    );
    this.extras.push(child);
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (child.exitedWith !== undefined)
        throw new Error(`extra server exited early (${child.exitedWith})`);
      try {
        if ((await fetch(`${base}/healthz`)).ok) return base;
      } catch {
        /* not up yet */
      }
      await sleep(200);
    }
    throw new Error('extra server did not answer /healthz within 20 s');
  }

  async startServer() {
    const bin = serverBinary();
    if (!existsSync(join(WEB_DIST, 'index.html')))
      throw new Error(`${WEB_DIST} has no index.html: run "npm run build"`);
    this.port = await freeTcpPort();
    const args = [
      '--listen',
      `127.0.0.1:${this.port}`,
      '--db',
      `sqlite:${join(this.dir, 'switchboard.db')}`,
      '--dev',
      '--web-root',
      WEB_DIST,
      '--ring-timeout',
      this.ringTimeout,
      '--log-format',
      'text',
      ...(this.turnPort
        ? [
            '--stun-urls',
            `stun:127.0.0.1:${this.turnPort}`,
            '--turn-urls',
            `turn:127.0.0.1:${this.turnPort}?transport=udp`,
            '--turn-secret',
            this.turnSecret,
          ]
        : []),
      ...this.extraServerArgs,
    ];
    this.serverArgs = args;
    this.server = startProcess('server', bin, args, join(this.dir, 'server.log'));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (this.server.exitedWith !== undefined)
        throw new Error(`server exited early (${this.server.exitedWith}); see its log`);
      try {
        const r = await fetch(`${this.base}/healthz`);
        if (r.ok) return;
      } catch {
        /* not up yet */
      }
      await sleep(200);
    }
    throw new Error('server did not answer /healthz within 20 s');
  }

  /** Stops the server and starts it again on the same port and database (a deploy, a crash). */
  async restartServer() {
    await stopProcess(this.server);
    const bin = serverBinary();
    this.server = startProcess('server', bin, this.serverArgs, join(this.dir, 'server.log'));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (this.server.exitedWith !== undefined)
        throw new Error(`server exited on restart (${this.server.exitedWith})`);
      try {
        if ((await fetch(`${this.base}/healthz`)).ok) return;
      } catch {
        /* not up yet */
      }
      await sleep(200);
    }
    throw new Error('server did not come back within 20 s');
  }

  async launchBrowser() {
    this.browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_FLAGS,
    });
  }

  async token(org, sub, role, name, base = this.base) {
    const r = await fetch(`${base}/v1/dev/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ org, sub, role, name }),
    });
    if (!r.ok) throw new Error(`POST /v1/dev/token -> ${r.status} ${await r.text()}`);
    return (await r.json()).token;
  }

  /** A new browser context (a separate "person") with one page. */
  async newPage({
    viewport = { width: 1280, height: 800 },
    initScript,
    grant = true,
    origin = this.base,
  } = {}) {
    const context = await this.browser.newContext({ viewport });
    if (grant) await context.grantPermissions(['camera', 'microphone'], { origin });
    if (initScript) await context.addInitScript(initScript);
    this.contexts.push(context);
    const page = await context.newPage();
    page.consoleLines = [];
    page.on('console', (m) => {
      page.consoleLines.push(`${m.type()}: ${m.text()}`);
      if (page.consoleLines.length > 400) page.consoleLines.shift();
    });
    page.on('pageerror', (e) => page.consoleLines.push(`pageerror: ${e.message}`));
    return page;
  }

  /** Signs in through `?token=` (as an integrator would) and opens `path`. */
  async openAs({ org, sub, role, name, relay = false, path, base = this.base, ...pageOpts }) {
    const token = await this.token(org, sub, role, name, base);
    const page = await this.newPage({ ...pageOpts, origin: base });
    const target = path ?? (role === 'client' ? '/client' : '/staff');
    await page.goto(
      `${base}${target}?token=${encodeURIComponent(token)}${relay ? '&relay=1' : ''}`,
    );
    await page
      .locator('[data-testid="connection-state"]', { hasText: 'Online' })
      .waitFor({ timeout: 10_000 });
    page.label = name;
    return page;
  }

  async closeContexts() {
    for (const c of this.contexts.splice(0)) await c.close().catch(() => undefined);
  }

  async stop({ keepLogs = true } = {}) {
    await this.closeContexts();
    await this.browser?.close().catch(() => undefined);
    await stopProcess(this.server);
    for (const x of this.extras ?? []) await stopProcess(x);
    await stopProcess(this.coturn);
    if (keepLogs) {
      mkdirSync(RESULTS, { recursive: true });
      for (const f of ['server.log', 'turn.log', 'turn.out']) {
        if (existsSync(join(this.dir, f)))
          copyFileSync(join(this.dir, f), join(RESULTS, `e2e-${f}`));
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function shot(page, name, { fullPage = false } = {}) {
  mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage });
}

/** An HS256 JWT as an integrating app would issue it (for servers started with --jwt-secret). */
export function signJwt(secret, claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iat: now, exp: now + 3600, ...claims })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

/** Polls `fn` until it returns a truthy value or `ms` pass. */
export async function eventually(fn, ms, what) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(
    `timed out after ${ms} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`,
  );
}

let axeSource;

/**
 * Runs axe-core (injected from node_modules, no network) on what `page` shows now and fails on
 * any violation of impact serious or critical, listing rule, target and axe's summary. Every
 * violation, minor ones included, and what axe could not decide ("incomplete": to look at by
 * hand) are written to test-results/a11y/<screen>.json.
 * No rule is disabled: a finding is fixed in the components.
 */
export async function checkA11y(page, screen) {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object')))
    await page.addScriptTag({ content: axeSource });
  const { violations, incomplete } = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations', 'incomplete'] });
    const brief = (list) =>
      list.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({
          impact: n.impact ?? v.impact,
          target: n.target.map(String).join(' '),
          summary: n.failureSummary,
        })),
      }));
    return { violations: brief(r.violations), incomplete: brief(r.incomplete) };
  });
  mkdirSync(join(RESULTS, 'a11y'), { recursive: true });
  writeFileSync(
    join(RESULTS, 'a11y', `${screen}.json`),
    JSON.stringify({ violations, incomplete }, null, 2),
  );
  const lines = [];
  for (const v of violations) {
    for (const n of v.nodes) {
      if (n.impact !== 'serious' && n.impact !== 'critical') continue;
      lines.push(
        `[${n.impact}] ${v.id} (${v.help}) at ${n.target}: ${String(n.summary).replace(/\s+/g, ' ')}`,
      );
    }
  }
  if (lines.length)
    throw new Error(
      `axe found on "${screen}" ${lines.length} serious or critical:\n${lines.join('\n')}`,
    );
}

/** Fails if the page scrolls sideways (its content is wider than the viewport). */
export async function assertNoSidewaysScroll(page, what) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert(
    scrollWidth <= innerWidth,
    `${what}: no sideways scrolling at ${innerWidth} px (content is ${scrollWidth} px wide)`,
  );
}

export const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

export async function phaseOf(page) {
  return page.locator('[data-testid$="-page"]').first().getAttribute('data-phase');
}

export async function waitPhase(page, phase, ms = 15_000) {
  await page.locator(`[data-testid$="-page"][data-phase="${phase}"]`).waitFor({ timeout: ms });
}
