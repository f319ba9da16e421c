#!/usr/bin/env node
// The SDK packages as an integrator gets them: `npm pack` of @switchboard/client and
// @switchboard/react, installed from the tarballs into a scratch app in a temporary directory,
// type-checked against the emitted .d.ts, bundled with esbuild, and served from an origin of its
// own (another port). Two headless Chromium pages of that app, a staff member and a client, then
// make a real call against the real server (build/switchboard, started with
// --cors-origins <the app's origin>): the client's call rings the staff member, who accepts, and
// both reach `connected` before the client hangs up. Prints "pack install: 1 passed, 0 failed".
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { build } from 'esbuild';
import { CHROMIUM, CHROMIUM_FLAGS, WEB_ROOT, serverBinary } from '../e2e/support/env.mjs';
import { freeTcpPort } from '../e2e/support/process.mjs';
import { SwitchboardServer } from '../e2e/support/server.mjs';

const keep = process.env.PACK_TEST_KEEP === '1';
const dir = mkdtempSync(join(tmpdir(), 'switchboard-pack-'));
const app = join(dir, 'app');
const step = (what) => console.log(`pack install: ${what}`);
const npm = (args, cwd) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });

let server;
let browser;
let staticServer;
try {
  // The call crosses origins only if the server answers CORS for the app's (issue 13 item 3).
  const help = execFileSync(serverBinary(), ['--help'], { encoding: 'utf8' });
  if (!help.includes('--cors-origins'))
    throw new Error(`${serverBinary()} has no --cors-origins flag: build a server that has it`);

  step('npm pack of the workspace packages (their prepack builds dist/)');
  npm(['pack', '--workspaces', '--pack-destination', dir], WEB_ROOT);
  const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 2) throw new Error(`expected two tarballs, got ${tarballs.join(', ')}`);

  step(`installing ${tarballs.join(' and ')} into a scratch app in ${app}`);
  cpSync(join(import.meta.dirname, 'scratch-app'), app, { recursive: true });
  const webPackage = JSON.parse(readFileSync(join(WEB_ROOT, 'package.json'), 'utf8'));
  const version = (name) => webPackage.dependencies[name] ?? webPackage.devDependencies[name];
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }, null, 2),
  );
  // The registry's cache is enough: react and its types are the app's own versions.
  npm(
    [
      'install',
      '--prefer-offline',
      ...tarballs.map((t) => join(dir, t)),
      `react@${version('react')}`,
      `react-dom@${version('react-dom')}`,
      `@types/react@${version('@types/react')}`,
      `@types/react-dom@${version('@types/react-dom')}`,
    ],
    app,
  );
  const installed = JSON.parse(
    readFileSync(join(app, 'node_modules/@switchboard/client/package.json'), 'utf8'),
  );
  if (readdirSync(join(app, 'node_modules/@switchboard/client')).includes('src'))
    throw new Error('the client tarball ships its sources; it should ship dist/ only');

  step(
    `type-checking the app against the installed .d.ts (${installed.name}@${installed.version})`,
  );
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], { stdio: 'inherit' });

  step('bundling the app with esbuild');
  await build({
    absWorkingDir: app,
    entryPoints: ['main.tsx'],
    outfile: 'dist/main.js',
    bundle: true,
    format: 'esm',
    jsx: 'automatic',
    target: 'es2022',
    logLevel: 'warning',
  });
  cpSync(join(app, 'index.html'), join(app, 'dist', 'index.html'));
  const bundle = readFileSync(join(app, 'dist', 'main.js'), 'utf8');
  if (!bundle.includes('"ring_timeout"'))
    throw new Error('the bundle lacks the call state machine the client package should carry');

  const appPort = await freeTcpPort();
  const appOrigin = `http://127.0.0.1:${appPort}`;
  staticServer = await serveStatic(join(app, 'dist'), appPort);
  server = await SwitchboardServer.start({
    dir,
    name: 'server',
    args: ['--cors-origins', appOrigin],
  });
  if (server.base === appOrigin) throw new Error('the app and the server share an origin');
  step(`app on ${appOrigin}, server on ${server.base}`);

  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  const context = await browser.newContext();
  const open = async (role, token) => {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') console.log(`  [${role} console] ${m.text()}`);
    });
    const query = new URLSearchParams({ role, token, server: server.base });
    await page.goto(`${appOrigin}/index.html?${query}`);
    return page;
  };
  const staff = await open('staff', await server.token('pack', 'staff-1', 'staff', 'Sam Staff'));
  await staff.waitForFunction(() => document.getElementById('signaling')?.textContent === 'open');
  // Available once the server has the staff member's entry as such.
  const admin = await server.token('pack', 'admin', 'admin');
  await waitFor(async () => {
    const r = await fetch(`${server.base}/v1/staff/availability`, {
      headers: { Authorization: `Bearer ${admin}` },
    });
    const body = await r.json();
    return body.staff?.some((s) => s.id === 'staff-1' && s.status === 'available');
  }, 'the staff member available').catch(async (e) => {
    const errors = await staff.evaluate(() => window.scratch.seen.errors);
    throw new Error(`${e.message}; the staff page saw ${JSON.stringify(errors)}`);
  });

  const caller = await open('client', await server.token('pack', 'client-1', 'client', 'Cleo'));
  await caller.waitForFunction(() => document.getElementById('signaling')?.textContent === 'open');
  step('the client places a call from the other origin');
  await caller.evaluate(() => window.scratch.placeCall());
  for (const [name, page] of [
    ['client', caller],
    ['staff', staff],
  ]) {
    await page
      .waitForFunction(
        () => document.getElementById('phase')?.textContent === window.scratch.connectedPhase,
        null,
        { timeout: 45_000 },
      )
      .catch(async (e) => {
        const seen = await page.evaluate(() => ({
          phase: window.scratch.phase(),
          ...window.scratch.seen,
        }));
        throw new Error(`${name} never connected: ${JSON.stringify(seen)}\n${e.message}`);
      });
    step(`${name} page: call connected (React hook shows "connected")`);
  }
  await caller.evaluate(() => window.scratch.hangUp());
  const ended = await staff.waitForFunction(
    () => window.scratch.seen.calls.findLast((c) => c.state === 'ended'),
    null,
    { timeout: 15_000 },
  );
  const call = await ended.jsonValue();
  const messages = await staff.evaluate(() => [...new Set(window.scratch.seen.messages)]);
  step(`call ${call.id} ended (${call.end_reason}); staff saw ${messages.join(', ')}`);
  console.log('pack install: 1 passed, 0 failed');
} catch (e) {
  console.error(e);
  if (server) console.error(server.output().slice(-4000));
  console.log('pack install: 0 passed, 1 failed');
  process.exitCode = 1;
} finally {
  await browser?.close();
  await server?.stop();
  staticServer?.close();
  if (keep) console.log(`pack install: kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

/** A plain static file server for the built app (the integrator's own web server). */
function serveStatic(root, port) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };
  const srv = createServer((req, res) => {
    const path = resolve(root, `.${decodeURIComponent(new URL(req.url, 'http://x').pathname)}`);
    if (!path.startsWith(root)) return void res.writeHead(403).end();
    try {
      const body = readFileSync(path);
      res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((res) => srv.listen(port, '127.0.0.1', () => res(srv)));
}

async function waitFor(check, what, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
