// The built front end (--web-root): cache headers, the single-page-app fallback, 404 for missing
// assets, and nothing outside the web root ever served, however the path is spelled.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, expectError, withLogs } from './lib/harness.mjs';

const INDEX = '<!doctype html><title>Switchboard</title><div id="app"></div>';
const APP_JS = 'console.log("app");';
const ASSET = '/assets/app.3f9a1c2e.js';
const SECRET = 'outside-the-web-root';

let srv;
let parent;

// parent/
//   secret.txt            outside the web root
//   web/                  the web root: index.html, assets/app.<hash>.js, escape.txt -> ../secret.txt
//   web-old/secret.txt    a sibling whose name starts with the web root's name
before(async () => {
  parent = mkdtempSync(join(tmpdir(), 'sb-static-'));
  const root = join(parent, 'web');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), INDEX);
  writeFileSync(join(root, ASSET), APP_JS);
  writeFileSync(join(parent, 'secret.txt'), SECRET);
  mkdirSync(join(parent, 'web-old'));
  writeFileSync(join(parent, 'web-old', 'secret.txt'), SECRET);
  symlinkSync(join(parent, 'secret.txt'), join(root, 'escape.txt'));
  srv = await startServer(['--web-root', root]);
});

after(async () => {
  await srv?.stop();
  if (parent) rmSync(parent, { recursive: true, force: true });
});

const L = (fn) => withLogs(() => [srv], fn);

// GET with the target sent byte for byte: fetch() would resolve "..", "%2e%2e" and the like
// before sending, which is exactly what these tests must not depend on.
function rawGet(target) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: srv.port, path: target, timeout: 5000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body = null;
        try {
          body = JSON.parse(text);
        } catch {
          body = null;
        }
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) headers.append(name, String(value));
        resolve({ status: res.statusCode, headers, body, text, method: 'GET', path: target });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${target} timed out`)));
    req.on('error', reject);
  });
}

test('hashed assets are cached for a year; index.html is revalidated', L(async () => {
  const asset = await rawGet(ASSET);
  assert.equal(asset.status, 200);
  assert.equal(asset.text, APP_JS);
  assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');

  for (const path of ['/', '/index.html']) {
    const index = await rawGet(path);
    assert.equal(index.status, 200, path);
    assert.equal(index.text, INDEX, path);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8', path);
    assert.equal(index.headers.get('cache-control'), 'no-cache', path);
  }
}));

test('paths without a file extension get index.html, so the app can route them', L(async () => {
  for (const path of ['/staff', '/staff/calls/c_123', '/client/', '/assets']) {
    const res = await rawGet(path);
    assert.equal(res.status, 200, path);
    assert.equal(res.text, INDEX, path);
    assert.equal(res.headers.get('cache-control'), 'no-cache', path);
  }
}));

test('a missing file with an extension is 404 not_found, not index.html', L(async () => {
  for (const path of ['/assets/nope.js', '/assets/app.00000000.css', '/favicon.ico', '/staff/report.pdf']) {
    expectError(await rawGet(path), 404, 'not_found');
  }
}));

test('nothing outside the web root is served, however the path is spelled', L(async () => {
  const attempts = [
    '/../secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/../../secret.txt',
    '/./../secret.txt',
    '/..%2fweb-old/secret.txt',
    '/%2e%2e/web-old/secret.txt',
    '/assets/..%2f..%2fweb-old%2fsecret.txt',
    '/..%2fweb-old',
    '/..',
    '/%2e%2e',
  ];
  for (const target of attempts) {
    const res = await rawGet(target);
    assert.ok(!res.text.includes(SECRET), `${target} served a file from outside the web root`);
    expectError(res, 404, 'not_found');
  }
}));

test('a double-encoded ".." is a file name, not a way out', L(async () => {
  const res = await rawGet('/%252e%252e/secret.txt');
  assert.ok(!res.text.includes(SECRET));
  expectError(res, 404, 'not_found');
}));

test('a symbolic link inside the web root does not lead out of it', L(async () => {
  const res = await rawGet('/escape.txt');
  assert.ok(!res.text.includes(SECRET), 'the link to ../secret.txt was followed');
  expectError(res, 404, 'not_found');
}));

test('an encoded NUL or a broken escape is a 400, not a file lookup', L(async () => {
  expectError(await rawGet('/index.html%00.js'), 400, 'invalid_request');
  expectError(await rawGet('/assets/%zz.js'), 400, 'invalid_request');
}));
