// Behind a reverse proxy (issue 13, item 8): the shipped deploy/nginx/switchboard.conf, run by a
// real nginx on loopback with a self-signed certificate made now (lib/nginx.mjs), in front of
// the real server.
// A whole call runs through it over TLS (REST and the WebSocket upgrade); an idle WebSocket
// outlives nginx's proxy_read_timeout (3 s here) thanks to the server's pings (1 s here), and
// is cut by it when the pings are slower; with --trusted-proxies the per-IP rate limit, the
// per-IP connection cap and the logs see each browser's address, and without it one bucket
// holds everyone. Browsers are told apart by their source address on loopback (127.0.0.3,
// 127.0.0.4): nginx reaches the server from 127.0.0.1, the one trusted proxy.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import {
  Ws, delay, expectError, expectStatus, poll, startServer, uniq, user,
} from './lib/harness.mjs';
import { HAVE_NGINX, startNginx } from './lib/nginx.mjs';

const ALICE = '127.0.0.3';
const BOB = '127.0.0.4';
const PROXY_READ_TIMEOUT_S = 3;
const HIGH = ['--rate-user', '100000/s', '--rate-ip', '100000/s'];

const skip = HAVE_NGINX ? false : 'nginx is not installed (scripts/install-deps.sh test)';

// nginx (lib/nginx.mjs) with a request helper and WebSockets from a chosen source address.
async function startProxy(upstream) {
  const nginx = await startNginx(upstream.port, { wsReadTimeoutS: PROXY_READ_TIMEOUT_S });
  const proxy = {
    ...nginx,
    sockets: new Set(),
    request: (method, path, o) => viaProxy(proxy, method, path, o),
    ws: (from, label) => new Ws(proxy, { label, wsOptions: { ca: nginx.ca, localAddress: from } }),
    async stop() {
      for (const ws of proxy.sockets) ws.terminate();
      await nginx.stop();
    },
  };
  return proxy;
}

// One HTTPS request through the proxy from source address `from`, checked against the test CA.
// Answers as the harness's request() does: {status, headers.get(), body, text}.
function viaProxy(proxy, method, path, { token, body, headers = {}, from = ALICE } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  const data = body === undefined ? undefined : JSON.stringify(body);
  if (data !== undefined) h['content-type'] = 'application/json';
  return new Promise((res, rej) => {
    const req = https.request({
      host: '127.0.0.1', port: proxy.tlsPort, method, path, headers: h, ca: proxy.ca,
      localAddress: from, agent: false, timeout: 10000,
    }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (d) => { text += d; });
      r.on('end', () => {
        let parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
        const headersOf = { get: (n) => r.headers[n.toLowerCase()] ?? null };
        res({ status: r.statusCode, headers: headersOf, body: parsed, text, method, path });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', rej);
    req.end(data);
  });
}

// A server and the nginx in front of it; both stopped by after().
const running = [];
async function serverBehindNginx(args) {
  const srv = await startServer(args, { defaultRates: true });
  running.push(srv);
  const proxy = await startProxy(srv);
  running.push(proxy);
  return { srv, proxy };
}

after(async () => {
  for (const r of running.reverse()) await r.stop();
});

let main;
before(async () => {
  if (skip) return;
  main = await serverBehindNginx([...HIGH, '--trusted-proxies', '127.0.0.1/32', '--ws-ping-interval', '1s']);
});

test('a whole call through nginx over TLS: REST, the WebSocket upgrade, signals both ways', { skip }, async () => {
  const { srv, proxy } = main;
  const org = uniq('org');
  const staff = user(org, 'staff', uniq('ana'));
  const caller = user(org, 'client', uniq('cat'));
  const staffWs = proxy.ws(ALICE, 'staff');
  await staffWs.hello(staff.token);
  expectStatus(await proxy.request('PUT', '/v1/staff/me/availability',
    { token: staff.token, body: { status: 'available' }, from: ALICE }), 200);
  const callerWs = proxy.ws(BOB, 'caller');
  await callerWs.hello(caller.token);

  const created = await proxy.request('POST', '/v1/calls', { token: caller.token, body: {}, from: BOB });
  const call = expectStatus(created, 201);
  assert.equal(call.state, 'ringing');
  await staffWs.waitType('call.incoming', (m) => m.call.id === call.id);
  expectStatus(await proxy.request('POST', `/v1/calls/${call.id}/accept`, { token: staff.token, from: ALICE }), 200);
  await callerWs.waitType('call.updated', (m) => m.call.state === 'accepted');
  await callerWs.waitType('ice_servers');

  staffWs.send({ type: 'signal', call_id: call.id, kind: 'offer', data: { sdp: 'v=0 offer' }, seq: 1 });
  const offer = await callerWs.waitType('signal', (m) => m.kind === 'offer');
  assert.equal(offer.from, staff.id);
  callerWs.send({ type: 'signal', call_id: call.id, kind: 'answer', data: { sdp: 'v=0 answer' }, seq: 1 });
  await staffWs.waitType('signal', (m) => m.kind === 'answer');

  expectStatus(await proxy.request('POST', `/v1/calls/${call.id}/connected`, { token: caller.token, from: BOB }), 200);
  const ended = expectStatus(await proxy.request('POST', `/v1/calls/${call.id}/end`,
    { token: staff.token, body: {}, from: ALICE }), 200);
  assert.equal(ended.state, 'ended');
  await callerWs.waitType('call.updated', (m) => m.call.state === 'ended');

  // The server's log names each browser, not the proxy.
  const create = srv.logs.map((l) => { try { return JSON.parse(l); } catch { return {}; } })
    .find((l) => l.event === 'http.request' && l.call_id === call.id && l.method === 'POST' && l.route === '/v1/calls');
  assert.equal(create?.ip, BOB, `the create's log line: ${JSON.stringify(create)}`);
  await Promise.all([staffWs.close(), callerWs.close()]);
});

test('an idle WebSocket outlives nginx\'s read timeout thanks to the server\'s pings', { skip }, async () => {
  const { proxy } = main;
  const staff = user(uniq('org'), 'staff', uniq('idle'));
  const ws = proxy.ws(ALICE, 'idle');
  await ws.hello(staff.token);
  await delay((PROXY_READ_TIMEOUT_S * 2 + 2) * 1000);
  assert.equal(ws.closed, null, `closed while idle: ${JSON.stringify(ws.closed)}`);
  assert.ok(ws.pings >= PROXY_READ_TIMEOUT_S * 2, `the server's pings came through (${ws.pings})`);
  await ws.ping();
  await ws.close();
});

test('with pings slower than nginx\'s read timeout the idle WebSocket is cut (the control)', { skip }, async () => {
  const { proxy } = await serverBehindNginx([...HIGH, '--ws-ping-interval', '30s']);
  const ws = proxy.ws(ALICE, 'unpinged');
  await ws.hello(user(uniq('org'), 'staff', uniq('s')).token);
  const started = Date.now();
  await ws.waitClose((PROXY_READ_TIMEOUT_S + 5) * 1000);
  const after = (Date.now() - started) / 1000;
  assert.ok(after >= PROXY_READ_TIMEOUT_S - 1, `cut after ${after} s, not before nginx's timeout`);
});

// --rate-ip 1/m: a bucket of one request, refilled once a minute.
async function firstTwoFromAliceThenBob(args) {
  const { proxy } = await serverBehindNginx(['--rate-user', '100000/s', '--rate-ip', '1/m', ...args]);
  const statuses = [];
  // Unauthenticated: the per-IP bucket is taken before the token is read.
  for (const [from, spoof] of [[ALICE, undefined], [ALICE, '203.0.113.50'], [BOB, undefined]]) {
    const headers = spoof ? { 'x-forwarded-for': spoof } : {};
    statuses.push((await proxy.request('GET', '/v1/calls', { from, headers })).status);
  }
  return { proxy, statuses };
}

test('with --trusted-proxies each browser behind nginx has its own rate-limit bucket', { skip }, async () => {
  const { proxy, statuses } = await firstTwoFromAliceThenBob(['--trusted-proxies', '127.0.0.1']);
  // Alice's second request claims another address in X-Forwarded-For: nginx appends her real one.
  assert.deepEqual(statuses, [401, 429, 401]);
  expectError(await proxy.request('GET', '/v1/calls', { from: BOB }), 429, 'rate_limited');
});

test('without --trusted-proxies every browser behind nginx shares the proxy\'s bucket', { skip }, async () => {
  const { statuses } = await firstTwoFromAliceThenBob([]);
  assert.deepEqual(statuses, [401, 429, 429]);
});

test('with --trusted-proxies the per-IP connection cap counts browsers, not the proxy', { skip }, async () => {
  const { proxy } = await serverBehindNginx([...HIGH, '--trusted-proxies', '127.0.0.1',
    '--max-connections-per-ip', '1']);
  const staff = user(uniq('org'), 'staff', uniq('capped'));
  const first = proxy.ws(ALICE, 'alice-1');
  await first.hello(staff.token);
  // Alice is at her cap: another WebSocket of hers is refused, Bob's is not.
  const second = proxy.ws(ALICE, 'alice-2');
  await assert.rejects(second.opened, /503/);
  const bob = proxy.ws(BOB, 'bob');
  await bob.hello(staff.token);
  expectError(await proxy.request('GET', '/v1/calls', { token: staff.token, from: ALICE }), 503, 'unavailable');
  expectStatus(await proxy.request('GET', '/v1/calls', { token: staff.token, from: '127.0.0.5' }), 200);
  await first.close();
  await poll(async () => (await proxy.request('GET', '/v1/calls', { token: staff.token, from: ALICE })).status === 200,
    { what: 'Alice served again once her WebSocket closed' });
  await bob.close();
});
