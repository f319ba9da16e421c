// CORS (docs/decisions/0009): with --cors-origins, /v1 answers preflights and sets
// Access-Control-Allow-Origin for the listed origins only. An unlisted origin gets no CORS
// header at all, and its preflight is refused 403 forbidden (docs/decisions/0007).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  BINARY, SECRET, startServer, user, uniq, expectError, expectStatus, connectUser,
} from './lib/harness.mjs';

const APP = 'https://app.example.com';
const DEV = 'http://localhost:5173';
const EVIL = 'https://evil.example';

let srv;
let plain;
const org = uniq('org');
const caller = user(org, 'client', uniq('caller'));

before(async () => {
  srv = await startServer(['--cors-origins', `${APP}, ${DEV}`]);
  plain = await startServer([]);
});

after(async () => {
  await srv?.stop();
  await plain?.stop();
});

function preflight(server, origin, method = 'POST', path = '/v1/calls') {
  return server.request('OPTIONS', path, {
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization,content-type,idempotency-key,x-request-id',
    },
  });
}

function corsHeaders(res) {
  return [...res.headers.keys()].filter((h) => h.startsWith('access-control-'));
}

function varies(res) {
  return (res.headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase()).includes('origin');
}

test('a listed origin\'s preflight is 204 with the methods and headers the API reads', async () => {
  for (const [origin, method, path] of [[APP, 'POST', '/v1/calls'], [DEV, 'PUT', '/v1/staff/me/availability'],
    [APP, 'GET', '/v1/calls/c-1']]) {
    const res = await preflight(srv, origin, method, path);
    assert.equal(res.status, 204, `${origin} ${method} ${path}: ${res.status} ${res.text}`);
    assert.equal(res.text, '');
    assert.equal(res.headers.get('access-control-allow-origin'), origin);
    const methods = res.headers.get('access-control-allow-methods').split(',').map((m) => m.trim());
    for (const m of ['GET', 'POST', 'PUT']) assert.ok(methods.includes(m), `${m} in ${methods}`);
    const allowed = res.headers.get('access-control-allow-headers').toLowerCase().split(',').map((h) => h.trim());
    for (const h of ['authorization', 'content-type', 'idempotency-key', 'x-request-id']) {
      assert.ok(allowed.includes(h), `${h} in ${allowed}`);
    }
    assert.ok(Number(res.headers.get('access-control-max-age')) > 0);
    assert.equal(res.headers.get('access-control-allow-credentials'), null, 'tokens, not cookies');
    assert.ok(varies(res), 'Vary: Origin');
  }
});

test('a listed origin\'s answers carry Access-Control-Allow-Origin, errors included', async () => {
  const created = await srv.request('POST', '/v1/calls', { token: caller.token, body: {}, headers: { origin: APP } });
  // Nobody is online: the 409 must be readable by the page too.
  expectError(created, 409, 'no_staff_available');
  const list = await srv.request('GET', '/v1/calls', { token: caller.token, headers: { origin: DEV } });
  expectStatus(list, 200);
  const anonymous = await srv.request('GET', '/v1/calls', { headers: { origin: APP } });
  expectError(anonymous, 401, 'unauthenticated');
  for (const [res, origin] of [[created, APP], [list, DEV], [anonymous, APP]]) {
    assert.equal(res.headers.get('access-control-allow-origin'), origin);
    const exposed = res.headers.get('access-control-expose-headers').toLowerCase().split(',').map((h) => h.trim());
    assert.ok(exposed.includes('x-request-id') && exposed.includes('retry-after'), `exposed: ${exposed}`);
    assert.ok(varies(res), 'Vary: Origin');
  }
});

test('an unlisted origin gets no CORS header, and its preflight is 403 forbidden', async () => {
  // Origins match exactly: another scheme, port or subdomain is another origin.
  for (const origin of [EVIL, 'http://app.example.com', 'https://app.example.com:8443', 'https://x.app.example.com', 'null']) {
    const res = await preflight(srv, origin);
    expectError(res, 403, 'forbidden');
    assert.deepEqual(corsHeaders(res), [], `${origin}: no CORS header on the refusal`);
    const real = await srv.request('GET', '/v1/calls', { token: caller.token, headers: { origin } });
    expectStatus(real, 200);
    assert.deepEqual(corsHeaders(real), [], `${origin}: no CORS header on the answer`);
    assert.ok(varies(real), 'Vary: Origin all the same, for caches');
  }
});

test('without --cors-origins no origin is allowed, and nothing changes for same-origin calls', async () => {
  const res = await preflight(plain, APP);
  expectError(res, 403, 'forbidden');
  assert.deepEqual(corsHeaders(res), []);
  const real = await plain.request('GET', '/v1/calls', { token: caller.token, headers: { origin: APP } });
  expectStatus(real, 200);
  assert.deepEqual(corsHeaders(real), []);
  assert.equal(real.headers.get('vary'), null);
  // An OPTIONS that is no preflight is still routed as before (a token first).
  expectError(await plain.request('OPTIONS', '/v1/calls'), 401, 'unauthenticated');
});

test('only /v1 speaks CORS: health, metrics and the front end get no CORS header', async () => {
  for (const path of ['/healthz', '/readyz', '/metrics']) {
    const res = await srv.request('GET', path, { headers: { origin: APP } });
    assert.equal(res.status, 200, path);
    assert.deepEqual(corsHeaders(res), [], path);
  }
});

test('the WebSocket takes any Origin: it is signed in by the hello token, never by cookies', async () => {
  const ws = await connectUser(srv, caller, { wsOptions: { origin: EVIL } });
  assert.equal(ws.welcome.user.id, caller.id);
  await ws.close();
});

test('a --cors-origins entry that is not an origin stops start-up with one line', () => {
  const r = spawnSync(BINARY, ['--listen', '127.0.0.1:0', '--jwt-secret', SECRET, '--cors-origins', `${APP}/`],
    { encoding: 'utf8', timeout: 5000, env: { PATH: process.env.PATH } });
  assert.equal(r.status, 2);
  assert.match(r.stderr.trim(), /^switchboard: --cors-origins: "https:\/\/app\.example\.com\/" is not an origin/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});
