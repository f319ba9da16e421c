// Issue 10, item 9: the edges of the input limits. A client still sending a huge body reads its
// 413; a huge WebSocket frame is closed 1009; a token over 8 KiB is an authentication failure on
// both REST and WebSocket; deep JSON nesting is named as such; connections beyond
// --max-connections(-per-ip) are answered 503 with Retry-After, and closed ones are given back.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import {
  startServer, user, connectUser, openWs, mintToken, expectError, uniq, withLogs, poll, delay, withTimeout,
} from './lib/harness.mjs';

let srv;
const extra = [];

before(async () => {
  srv = await startServer([]);
});

after(async () => {
  await srv?.stop();
  for (const s of extra) await s.stop();
});

const L = (fn) => withLogs(() => [srv, ...extra], fn);

const TEN_MB = 10 * 1024 * 1024;

// POSTs a chunked body of `total` bytes with node:http, writing as fast as the socket takes it
// and stopping (without error) once the response has come. Resolves with {status, body}.
function postChunked(port, path, headers, total) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(parts).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

test('a client still sending a 10 MB chunked body reads a 413 payload_too_large', L(async () => {
  const u = user(uniq('org'), 'client');
  for (let i = 0; i < 3; i++) {
    const r = await withTimeout(
      postChunked(srv.port, '/v1/calls', { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' }, TEN_MB),
      15000, 'the 413',
    );
    assert.equal(r.status, 413, r.text);
    assert.equal(JSON.parse(r.text).error.code, 'payload_too_large');
    assert.ok(r.headers['x-request-id']);
  }
}));

test('a raw socket sending 10 MB without reading sees the 413 and an orderly end, not a reset', L(async () => {
  const socket = net.connect(srv.port, '127.0.0.1');
  await new Promise((res, rej) => socket.once('connect', res).once('error', rej));
  const received = [];
  let error = null;
  const ended = new Promise((res) => {
    socket.on('data', (d) => received.push(d));
    socket.on('error', (e) => { error = e; res(); });
    socket.on('close', res);
  });
  socket.write('POST /v1/calls HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
  const chunk = Buffer.alloc(64 * 1024, 'y');
  const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
  for (let sent = 0; sent < TEN_MB && !socket.destroyed; sent += chunk.length) {
    if (!socket.write(framed)) await new Promise((r) => { socket.once('drain', r); socket.once('close', r); });
    if (received.length) break;
  }
  await withTimeout(ended, 10000, 'the server to close');
  const text = Buffer.concat(received).toString();
  assert.match(text, /^HTTP\/1\.1 413 /, `got ${text.slice(0, 200)} (error ${error?.code})`);
  assert.match(text, /"payload_too_large"/);
  assert.equal(error, null, `the connection ended with ${error?.code}`);
}));

test('a 10 MB WebSocket frame is closed with 1009', L(async () => {
  const u = user(uniq('org'), 'client');
  const w = await connectUser(srv, u);
  w.send({ type: 'ping', pad: 'p'.repeat(TEN_MB) });
  assert.equal((await w.waitClose(10000)).code, 1009);
  // Before hello too.
  const anon = await openWs(srv);
  anon.send({ type: 'hello', token: 't'.repeat(TEN_MB) });
  assert.equal((await anon.waitClose(10000)).code, 1009);
}));

// A correctly signed token whose claims make it longer than 8 KiB.
function hugeToken(u, bytes) {
  return mintToken({ sub: u.id, org: u.org, role: u.role, pad: 'q'.repeat(bytes) });
}

test('a token over 8 KiB: 401 unauthenticated over REST, close 4001 over WebSocket', L(async () => {
  const u = user(uniq('org'), 'client');
  const fine = mintToken({ sub: u.id, org: u.org, role: u.role, pad: 'q'.repeat(4 * 1024) });
  const ok = await srv.request('GET', '/v1/calls', { token: fine });
  assert.equal(ok.status, 200, ok.text);
  for (const size of [8 * 1024, 12 * 1024, 40 * 1024]) {
    const token = hugeToken(u, size);
    assert.ok(token.length > 8 * 1024);
    const r = await srv.request('GET', '/v1/calls', { token });
    expectError(r, 401, 'unauthenticated', { retryable: false });
    const w = await openWs(srv);
    w.send({ type: 'hello', token });
    assert.equal((await w.waitClose(5000)).code, 4001, `WebSocket, a ${token.length}-byte token`);
  }
}));

test('deep JSON nesting is named as such, over REST and WebSocket', L(async () => {
  const u = user(uniq('org'), 'client');
  const deep = `{"metadata":${'['.repeat(200)}${']'.repeat(200)}}`;
  const r = await srv.request('POST', '/v1/calls', { token: u.token, raw: deep });
  const e = expectError(r, 400, 'invalid_request', { retryable: false });
  assert.match(e.message, /nested too deeply/i);
  // Nesting within the limit is an ordinary wrong type.
  const shallow = await srv.request('POST', '/v1/calls', { token: u.token, raw: '{"metadata":[[1]]}' });
  assert.doesNotMatch(expectError(shallow, 400, 'invalid_request').message, /nested/i);

  const w = await connectUser(srv, u);
  w.send(`{"type":"ping","x":${'['.repeat(200)}${']'.repeat(200)}}`);
  const closed = await w.waitClose(3000);
  assert.equal(closed.code, 4400);
  assert.match(closed.reason, /nested too deeply/i);
}));

// Opens a TCP connection and resolves once it is established.
function connectRaw(port) {
  return new Promise((res, rej) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => res(s)).once('error', rej);
  });
}

// Sends one request on a fresh socket and resolves with what came back until the server closed.
function rawExchange(socket, request) {
  return new Promise((res, rej) => {
    const parts = [];
    socket.on('data', (d) => parts.push(d));
    socket.on('error', rej);
    socket.on('close', () => res(Buffer.concat(parts).toString()));
    socket.write(request);
  });
}

function rssKiB(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return Number(m[1]);
}

test('by default one address is not capped: 400 connections from 127.0.0.1 are all served', L(async () => {
  // A same-host proxy gives every client its own address, and the Socket.IO side-by-side bench
  // connects thousands of sockets from one: only the total cap applies unless one is set.
  const s = await startServer([]);
  extra.push(s);
  const held = [];
  for (let i = 0; i < 400; i++) held.push(await connectRaw(s.port));
  try {
    const text = await withTimeout(rawExchange(await connectRaw(s.port), 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 5000, 'the 401st');
    assert.match(text, /^HTTP\/1\.1 200 /, text);
  } finally {
    for (const h of held) h.destroy();
  }
}));

test('beyond --max-connections-per-ip: HTTP and WebSocket upgrades get 503 with Retry-After', L(async () => {
  const s = await startServer(['--max-connections-per-ip', '5']);
  extra.push(s);
  const held = [];
  for (let i = 0; i < 5; i++) held.push(await connectRaw(s.port));
  await delay(100);
  const text = await withTimeout(rawExchange(await connectRaw(s.port), 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'), 5000, 'the refusal');
  assert.match(text, /^HTTP\/1\.1 503 /, text);
  assert.match(text, /\r\nretry-after: \d+\r\n/i);
  assert.match(text, /\r\nconnection: close\r\n/i);
  assert.match(text, /\r\nx-request-id: \S+\r\n/i);
  assert.equal(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).error.code, 'unavailable');

  const refused = new WebSocket(s.wsUrl);
  const answer = await withTimeout(new Promise((res) => {
    refused.on('unexpected-response', (_req, resp) => {
      res({ status: resp.statusCode, retryAfter: resp.headers['retry-after'] });
      resp.resume();
      refused.terminate();
    });
    refused.on('open', () => res({ status: 101 }));
    refused.on('error', (e) => res({ error: e.message }));
  }), 5000, 'the WebSocket refusal');
  assert.equal(answer.status, 503, `the WebSocket upgrade is refused with 503: ${JSON.stringify(answer)}`);
  assert.match(answer.retryAfter ?? '', /^\d+$/);

  // Closed connections are released: the same client gets in again.
  for (const h of held) h.destroy();
  await poll(async () => {
    try {
      return (await fetch(`${s.base}/healthz`)).status === 200;
    } catch {
      return false;
    }
  }, { what: 'a connection to be accepted again' });
  const u = user(uniq('org'), 'client');
  const ws = await connectUser(s, u);
  await ws.ping();
}));

// The allocator keeps most freed per-connection memory (Asio pools the per-socket state, and
// jemalloc returns dirty pages only after a delay), so RSS does not fall back to the baseline;
// what is checked is that closed connections are released and their memory is reused: after a
// first round that warms the allocator up, RSS stays put round after round. (From round 0 to 2
// it moved by up to 2.3 MiB either way in runs on 2026-12-07, which is the allocator's timing; a
// leak of even 1 KiB per connection would add 3 MiB between rounds 1 and 3.)
test('beyond --max-connections in total: 503; closed connections are released and their memory reused', L(async () => {
  const s = await startServer(['--max-connections', '1500', '--max-connections-per-ip', '100000']);
  extra.push(s);
  await delay(200);
  const baseline = rssKiB(s.proc.pid);
  const afterRounds = [];
  for (let round = 0; round < 4; round++) {
    const sockets = await Promise.all(Array.from({ length: 1500 }, () => connectRaw(s.port)));
    // Every connection says a little (a partial request header), as an idle client may.
    for (const k of sockets) k.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await delay(300);
    const text = await withTimeout(rawExchange(await connectRaw(s.port), 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'), 5000, 'the refusal');
    assert.match(text, /^HTTP\/1\.1 503 /, text);
    const peak = rssKiB(s.proc.pid);
    for (const k of sockets) k.destroy();
    await poll(async () => {
      try {
        return (await fetch(`${s.base}/healthz`)).status === 200;
      } catch {
        return false;
      }
    }, { what: 'connections to be released' });
    await delay(300);
    afterRounds.push(rssKiB(s.proc.pid));
    console.log(`round ${round}: RSS baseline ${baseline} KiB, 1500 idle connections ${peak} KiB, after closing them ${afterRounds.at(-1)} KiB`);
  }
  assert.ok(afterRounds[3] - afterRounds[1] < 2048, `memory grows round after round: ${afterRounds.join(', ')} KiB`);
}));

test('the connection flags are checked at start-up', L(async () => {
  for (const [flag, value] of [['--max-connections', '-1'], ['--max-connections-per-ip', 'many']]) {
    await assert.rejects(startServer([flag, value]), new RegExp(`${flag}: "${value}" must be a whole number`));
  }
}));
