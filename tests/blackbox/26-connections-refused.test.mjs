// Issue 10: connections turned away by a connection cap are counted in /metrics
// (switchboard_connections_refused_total{cap}) and logged as net.connection_refused, at most
// one line a second with the count of those left out.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, withLogs, delay, poll } from './lib/harness.mjs';

const servers = [];
after(async () => {
  for (const s of servers) await s.stop();
});

function connectRaw(port) {
  return new Promise((res, rej) => {
    const s = net.connect(port, '127.0.0.1', () => res(s));
    s.once('error', rej);
  });
}

/// Sends a request on a fresh connection and resolves with everything read until the close.
async function exchange(port) {
  const s = await connectRaw(port);
  return new Promise((res) => {
    let text = '';
    s.on('data', (d) => { text += d; });
    s.on('close', () => res(text));
    s.on('error', () => {});
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  });
}

function refusedCount(text, cap) {
  const line = text.split('\n').find((l) => l.startsWith(`switchboard_connections_refused_total{cap="${cap}"}`));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

test('refused connections are counted by cap and logged once a second', withLogs(() => servers, async () => {
  const srv = await startServer(['--max-connections-per-ip', '3']);
  servers.push(srv);
  const held = [];
  for (let i = 0; i < 3; i++) held.push(await connectRaw(srv.port));
  await delay(100);
  for (let i = 0; i < 10; i++) assert.match(await exchange(srv.port), /^HTTP\/1\.1 503 /);
  for (const s of held) s.destroy();
  let text = '';
  await poll(async () => {
    text = (await srv.request('GET', '/metrics')).text;
    return refusedCount(text, 'per_ip') === 10;
  }, { timeoutMs: 5000, what: 'switchboard_connections_refused_total{cap="per_ip"} 10' });
  assert.equal(refusedCount(text, 'total'), 0);
  const lines = srv.logs.filter((l) => l.includes('"net.connection_refused"')).map((l) => JSON.parse(l));
  assert.ok(lines.length >= 1 && lines.length <= 2, `one line a second at most: ${lines.length}`);
  assert.deepEqual([lines[0].level, lines[0].ip, lines[0].cap, lines[0].open_from_ip], ['warn', '127.0.0.1', 'per_ip', 3]);
  // A refusal after the quiet second is logged again, with the count of those left out.
  await delay(1100);
  const again = [];
  for (let i = 0; i < 3; i++) again.push(await connectRaw(srv.port));
  await delay(100);
  assert.match(await exchange(srv.port), /^HTTP\/1\.1 503 /);
  for (const s of again) s.destroy();
  await poll(() => srv.logs.filter((l) => l.includes('"net.connection_refused"')).length === lines.length + 1,
    { timeoutMs: 3000, what: 'a second net.connection_refused line' });
  const last = JSON.parse(srv.logs.filter((l) => l.includes('"net.connection_refused"')).pop());
  assert.equal(last.suppressed, 10 - lines.length);
}));

test('beyond --max-connections the cap is "total"', withLogs(() => servers, async () => {
  const srv = await startServer(['--max-connections', '2']);
  servers.push(srv);
  const held = [await connectRaw(srv.port), await connectRaw(srv.port)];
  await delay(100);
  assert.match(await exchange(srv.port), /^HTTP\/1\.1 503 /);
  for (const s of held) s.destroy();
  await delay(100);
  const { text } = await srv.request('GET', '/metrics');
  assert.equal(refusedCount(text, 'total'), 1);
  assert.ok(srv.logs.some((l) => l.includes('"net.connection_refused"') && l.includes('"cap":"total"')));
}));
