// Issue 3: /v1/ice-servers hands out coturn REST (use-auth-secret) credentials that a real coturn
// accepts; tampered and expired ones are refused.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { createHmac, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startServer, user, expectStatus, expectError, uniq, withLogs, poll, RFC3339_MS,
} from './lib/harness.mjs';

const TURN_SECRET = `turn-secret-${uniq('s')}`;
const REALM = 'switchboard.test';
let srv;
let turn; // {proc, port, dir, exited}

// A port free for both TCP and UDP on 127.0.0.1.
async function freePort() {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise((res, rej) => {
      const s = createServer();
      s.once('error', rej);
      s.listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => res(p));
      });
    });
    const udpFree = await new Promise((res) => {
      const u = createSocket('udp4');
      u.once('error', () => res(false));
      u.bind(port, '127.0.0.1', () => u.close(() => res(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port');
}

// One STUN Binding request; resolves true when coturn answers.
function stunPing(port, timeoutMs = 300) {
  return new Promise((res) => {
    const sock = createSocket('udp4');
    const req = Buffer.alloc(20);
    req.writeUInt16BE(0x0001, 0);
    req.writeUInt16BE(0, 2);
    req.writeUInt32BE(0x2112a442, 4);
    for (let i = 8; i < 20; i++) req[i] = randomInt(256);
    const t = setTimeout(() => {
      sock.close();
      res(false);
    }, timeoutMs);
    sock.on('message', (msg) => {
      clearTimeout(t);
      sock.close();
      res(msg.readUInt16BE(0) === 0x0101);
    });
    sock.on('error', () => {
      clearTimeout(t);
      sock.close();
      res(false);
    });
    sock.send(req, port, '127.0.0.1');
  });
}

async function startCoturn() {
  const dir = mkdtempSync(join(tmpdir(), 'sb-coturn-'));
  const port = await freePort();
  const minPort = 40000 + randomInt(0, 20000);
  const conf = [
    'listening-ip=127.0.0.1',
    'relay-ip=127.0.0.1',
    `listening-port=${port}`,
    `min-port=${minPort}`,
    `max-port=${minPort + 40}`,
    'use-auth-secret',
    `static-auth-secret=${TURN_SECRET}`,
    `realm=${REALM}`,
    'fingerprint',
    'no-tls',
    'no-dtls',
    'no-cli',
    'no-multicast-peers',
    'allow-loopback-peers',
    `userdb=${join(dir, 'turndb')}`,
    `pidfile=${join(dir, 'turnserver.pid')}`,
    `log-file=${join(dir, 'turn.log')}`,
    'simple-log',
    'no-stdout-log',
  ].join('\n');
  writeFileSync(join(dir, 'turnserver.conf'), `${conf}\n`);
  const proc = spawn('/usr/bin/turnserver', ['-c', join(dir, 'turnserver.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const t = { proc, port, dir, exited: null, out: '' };
  proc.stdout.on('data', (d) => { t.out += d; });
  proc.stderr.on('data', (d) => { t.out += d; });
  t.exitPromise = new Promise((res) => proc.on('exit', (code, signal) => { t.exited = { code, signal }; res(); }));
  await poll(async () => {
    if (t.exited) throw new Error(`turnserver exited: ${JSON.stringify(t.exited)} ${t.out}`);
    return stunPing(port);
  }, { timeoutMs: 10000, intervalMs: 100, what: 'coturn to answer STUN' });
  return t;
}

function coturnLog() {
  if (!turn) return '';
  const f = join(turn.dir, 'turn.log');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-30).join('\n') : '(no log)';
}

// turnutils_uclient: one client-to-client exchange through a relay allocation.
function uclient(username, password, timeoutMs = 15000) {
  return new Promise((res) => {
    execFile('/usr/bin/turnutils_uclient',
      ['-y', '-n', '1', '-u', username, '-w', password, '-p', String(turn.port), '127.0.0.1'],
      { timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        res({ code: err ? (err.code ?? err.signal) : 0, killed: !!err?.killed, out: `${stdout}${stderr}` });
      });
  });
}

const hmac = (secret, username) => createHmac('sha1', secret).update(username).digest('base64');

before(async () => {
  turn = await startCoturn();
  srv = await startServer([
    '--stun-urls', `stun:127.0.0.1:${turn.port}`,
    '--turn-urls', `turn:127.0.0.1:${turn.port}?transport=udp,turn:127.0.0.1:${turn.port}?transport=tcp`,
    '--turn-secret', TURN_SECRET,
    '--turn-ttl', '1h',
  ]);
});

after(async () => {
  await srv?.stop();
  if (turn) {
    if (!turn.exited) {
      turn.proc.kill('SIGTERM');
      const k = setTimeout(() => turn.proc.kill('SIGKILL'), 3000);
      await turn.exitPromise;
      clearTimeout(k);
    }
    rmSync(turn.dir, { recursive: true, force: true });
  }
});

const L = (fn) => withLogs(() => srv, async (t) => {
  try {
    return await fn(t);
  } catch (e) {
    console.error(`--- coturn log ---\n${coturnLog()}`);
    throw e;
  }
});

test('GET /v1/ice-servers gives STUN and TURN with coturn REST credentials', L(async () => {
  for (const role of ['client', 'staff', 'admin']) {
    const u = user(uniq('org'), role, `ice-${role}`);
    const before = Math.floor(Date.now() / 1000);
    const r = await srv.request('GET', '/v1/ice-servers', { token: u.token });
    expectStatus(r, 200);
    const b = r.body;
    assert.deepEqual(Object.keys(b).sort(), ['expires_at', 'ice_servers']);
    assert.match(b.expires_at, RFC3339_MS);
    const stun = b.ice_servers.find((s) => s.urls.some((x) => x.startsWith('stun:')));
    const turnEntry = b.ice_servers.find((s) => s.urls.some((x) => x.startsWith('turn:')));
    assert.deepEqual(stun, { urls: [`stun:127.0.0.1:${turn.port}`] });
    assert.deepEqual(turnEntry.urls, [
      `turn:127.0.0.1:${turn.port}?transport=udp`, `turn:127.0.0.1:${turn.port}?transport=tcp`,
    ]);
    const [expiry, sub, ...rest] = turnEntry.username.split(':');
    assert.deepEqual(rest, []);
    assert.equal(sub, u.id, 'username is <expiry>:<sub>');
    assert.match(expiry, /^\d+$/);
    const exp = Number(expiry);
    assert.ok(exp >= before + 3600 - 5 && exp <= before + 3600 + 5, `expiry ${exp} is about now + 1 h`);
    assert.ok(Math.abs(Date.parse(b.expires_at) / 1000 - exp) <= 1, 'expires_at matches the username expiry');
    assert.equal(turnEntry.credential, hmac(TURN_SECRET, turnEntry.username), 'credential = base64(HMAC-SHA1(secret, username))');
  }
  expectError(await srv.request('GET', '/v1/ice-servers'), 401, 'unauthenticated');
}));

test('coturn accepts the issued credentials and refuses tampered and expired ones', L(async () => {
  const u = user(uniq('org'), 'client', 'turn-user');
  const r = await srv.request('GET', '/v1/ice-servers', { token: u.token });
  expectStatus(r, 200);
  const entry = r.body.ice_servers.find((s) => s.username);

  const ok = await uclient(entry.username, entry.credential);
  assert.equal(ok.code, 0, `uclient with issued credentials failed (${ok.code}):\n${ok.out.slice(-2000)}`);
  assert.match(ok.out, /tot_recv_bytes ~ [1-9]/, 'data went through the relay');

  const flipped = entry.credential[0] === 'A' ? `B${entry.credential.slice(1)}` : `A${entry.credential.slice(1)}`;
  const tampered = await uclient(entry.username, flipped);
  assert.notEqual(tampered.code, 0, `a tampered credential was accepted:\n${tampered.out.slice(-1000)}`);

  const otherUser = `${entry.username.split(':')[0]}:someone-else`;
  const swapped = await uclient(otherUser, entry.credential);
  assert.notEqual(swapped.code, 0, 'a credential for another username was accepted');

  const expiredName = `${Math.floor(Date.now() / 1000) - 60}:${u.id}`;
  const expired = await uclient(expiredName, hmac(TURN_SECRET, expiredName));
  assert.notEqual(expired.code, 0, `an expired username with a valid HMAC was accepted:\n${expired.out.slice(-1000)}`);
}));

test('without TURN configured, /v1/ice-servers still answers (STUN only or empty)', L(async () => {
  const plain = await startServer(['--stun-urls', 'stun:127.0.0.1:3478']);
  try {
    const r = await plain.request('GET', '/v1/ice-servers', { token: user(uniq('org'), 'client').token });
    expectStatus(r, 200);
    assert.ok(Array.isArray(r.body.ice_servers));
    assert.ok(r.body.ice_servers.every((s) => !s.username && !s.credential), 'no credentials without a TURN secret');
    assert.deepEqual(r.body.ice_servers, [{ urls: ['stun:127.0.0.1:3478'] }]);
  } finally {
    await plain.stop();
  }
}));

