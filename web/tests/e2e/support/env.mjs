// Where the e2e suite finds what it runs: the server binary, the built front end, Chromium, and
// where it writes its results. Overridable through the environment (see web/README.md).
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const WEB_ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const REPO_ROOT = resolve(WEB_ROOT, '..');
export const RESULTS = join(WEB_ROOT, 'test-results');
/** Screenshots the scenarios take on purpose (not failure screenshots: those are Playwright's). */
export const SCREENS = join(RESULTS, 'screens');
/** Every axe finding, per screen. */
export const A11Y = join(RESULTS, 'a11y');
/** The server and coturn logs of each Playwright worker. */
export const LOGS = join(RESULTS, 'logs');

/**
 * The built front end the server serves: web/dist, or SWITCHBOARD_WEB_DIST (a copy of it, so that a
 * build running meanwhile in the same tree cannot empty it under the suite).
 */
export const WEB_DIST = process.env.SWITCHBOARD_WEB_DIST ?? join(WEB_ROOT, 'dist');

/** Debian's Chromium: the suite never downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

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
  // Without it Chromium gathers no ICE candidate on 127.0.0.1 and calls stay `new`.
  '--allow-loopback-in-peer-connection',
];

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

/** Fails unless the front end is built: the server serves it from WEB_DIST. */
export function requireWebDist() {
  if (!existsSync(join(WEB_DIST, 'index.html')))
    throw new Error(`${WEB_DIST} has no index.html: run "npm run build"`);
}
