// A WebSocket peer that stops reading: the server must not queue for it without end nor wait on
// it forever. It is dropped when its queue passes the cap, or when one write to it does not
// complete within the write deadline (two ping intervals, at most 10 s), and everyone else is
// served as before.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import {
  startServer, user, readyStaff, connectUser, createCall, action, request, expectStatus, poll, uniq,
  withTimeout, withLogs,
} from './lib/harness.mjs';

const servers = [];
const sockets = [];

after(async () => {
  for (const s of sockets) s.destroy();
  for (const s of servers) await s.stop();
});

const SIGNAL_PAD = 60 * 1024; // just under the 64 KiB frame limit once wrapped in a signal

// A client-to-server text frame (clients must mask, RFC 6455 5.3).
function maskedTextFrame(text) {
  const payload = Buffer.from(text);
  assert.ok(payload.length < 65536, 'frame too long for this helper');
  const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, 0, 0]);
  if (payload.length >= 126) header.writeUInt16BE(payload.length, 2);
  const mask = randomBytes(4);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = payload[i] ^ mask[i % 4];
  return Buffer.concat([header, mask, masked]);
}

// A WebSocket opened by hand over plain TCP: handshake, hello, welcome, and from then on it reads
// nothing, so its receive window fills and stays shut. `ended` settles once the server's end of
// the connection is gone (seen only after resume(), which drains what the server had sent).
async function deafPeer(srv, token) {
  const socket = net.connect(srv.port, '127.0.0.1');
  sockets.push(socket);
  await once(socket, 'connect');
  const ended = new Promise((resolve) => {
    socket.on('end', () => resolve('end'));
    socket.on('error', (e) => resolve(e.code));
    socket.on('close', () => resolve('close'));
  });
  let received = '';
  const seen = (needle) => poll(() => received.includes(needle), { timeoutMs: 5000, what: needle });
  socket.on('data', (chunk) => {
    received += chunk.toString('latin1');
  });
  socket.write(
    `GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await seen('\r\n\r\n');
  assert.match(received, /^HTTP\/1\.1 101 /, 'the upgrade is accepted');
  socket.write(maskedTextFrame(JSON.stringify({ type: 'hello', token })));
  await seen('"welcome"');
  socket.pause();
  return {
    ended,
    resume() {
      socket.on('data', () => {}); // drain without keeping what arrives
      socket.resume();
    },
  };
}

function droppedLine(srv) {
  for (const line of srv.logs) {
    if (!line.includes('ws.dropped')) continue;
    try {
      return JSON.parse(line);
    } catch {
      /* not JSON */
    }
  }
  return null;
}

// A call between a ready staff member (a normal client) and a caller that is a deaf peer.
async function callWithDeafCaller(srv) {
  const org = uniq('slow');
  const staff = user(org, 'staff', 'ana');
  const caller = user(org, 'client', 'deaf');
  const staffWs = await readyStaff(srv, staff);
  const deaf = await deafPeer(srv, caller.token);
  const call = await createCall(srv, caller);
  await staffWs.waitFor((m) => m.type === 'call.incoming' && m.call?.id === call.id, 3000);
  expectStatus(await action(srv, staff, call.id, 'accept'), 200);
  return { org, staff, staffWs, deaf, call };
}

// Relays `bytes` of signals from the staff member to the deaf caller.
function sendSignals(staffWs, callId, bytes) {
  const pad = 'x'.repeat(SIGNAL_PAD);
  const count = Math.ceil(bytes / SIGNAL_PAD);
  for (let seq = 1; seq <= count; seq++) {
    staffWs.send({ type: 'signal', call_id: callId, kind: 'candidate', data: { pad }, seq });
  }
}

// The deaf peer's connection really is closed, and the server goes on serving others.
async function expectClosedAndServerHealthy(srv, o) {
  o.deaf.resume();
  const how = await withTimeout(o.deaf.ended, 10000, 'the deaf peer to see its connection end');
  assert.ok(['end', 'close', 'ECONNRESET', 'EPIPE'].includes(how), `connection ended by ${how}`);
  expectStatus(await request(srv, 'GET', '/healthz'), 200);
  await o.staffWs.ping();
  assert.equal(o.staffWs.closed, null, 'the staff member who kept reading stays connected');
  const other = await connectUser(srv, user(o.org, 'client', 'other'));
  await other.ping();
}

test('a peer that stops reading is dropped when a write to it stalls', async () => {
  // Pings every 2 s: the write deadline is 4 s, and the ping check (which needs the writer to be
  // free) could not drop the peer at all while a write is stuck.
  const srv = await startServer(['--ws-ping-interval', '2s', '--ws-rate', '100000/s']);
  servers.push(srv);
  await withLogs(() => [srv], async () => {
    const o = await callWithDeafCaller(srv);
    const t0 = Date.now();
    // More than the kernel buffers on loopback (the send buffer grows to tcp_wmem's 4 MiB, the
    // deaf receiver's stays near 128 KiB), less than that plus the 8 MiB queue cap.
    sendSignals(o.staffWs, o.call.id, 6 * 1024 * 1024);
    const dropped = await poll(() => droppedLine(srv), { timeoutMs: 8000, what: 'a ws.dropped log line' });
    const took = Date.now() - t0;
    assert.equal(dropped.reason, 'write_timeout', JSON.stringify(dropped));
    assert.ok(took >= 3000 && took <= 7000, `dropped after ${took} ms (write deadline 4 s)`);
    await expectClosedAndServerHealthy(srv, o);
  })();
});

test('a peer that stops reading is dropped once its queue passes the cap', async () => {
  // Pings every 10 s: the write deadline (10 s) is far away, so only the cap can drop it soon.
  const srv = await startServer(['--ws-ping-interval', '10s', '--ws-rate', '100000/s']);
  servers.push(srv);
  await withLogs(() => [srv], async () => {
    const o = await callWithDeafCaller(srv);
    const t0 = Date.now();
    sendSignals(o.staffWs, o.call.id, 24 * 1024 * 1024);
    const dropped = await poll(() => droppedLine(srv), { timeoutMs: 8000, what: 'a ws.dropped log line' });
    const took = Date.now() - t0;
    assert.equal(dropped.reason, 'outbox_full', JSON.stringify(dropped));
    assert.ok(dropped.queued_bytes > 8 * 1024 * 1024, `queued ${dropped.queued_bytes} bytes at the drop`);
    assert.ok(took < 8000, `dropped after ${took} ms`);
    await expectClosedAndServerHealthy(srv, o);
  })();
});
