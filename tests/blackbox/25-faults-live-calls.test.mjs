// Issue 10, item 5 (docs/api.md#failures): a live call keeps signalling while PostgreSQL is down. The
// relay stores nothing and the hub authorizes a signal from the live call's participants it
// holds in memory, so offers, answers and candidates keep flowing both ways (an ICE restart
// during a database blip works), while a write still gets 503.
// - one node on PostgreSQL, the database paused (SIGSTOP) for 5 s: relays within a second;
// - two nodes on PostgreSQL + Redis, the database shut down for 5 s and started again, the two
//   participants on different nodes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServer, user, uniq, readyStaff, connectUser, createCall, action, expectStatus, expectError,
  withLogs, poll, delay,
} from './lib/harness.mjs';
import { startPostgres, startRedis } from './lib/services.mjs';

let pg;
let redis;
const servers = [];
const L = (fn) => withLogs(() => servers, fn);

before(async () => {
  pg = await startPostgres();
  redis = await startRedis();
});

after(async () => {
  for (const s of servers) await s.stop();
  await redis?.stop();
  await pg?.stop();
});

const incoming = (id) => (m) => m.type === 'call.incoming' && m.call?.id === id;
const updated = (id, state) => (m) => m.type === 'call.updated' && m.call?.id === id && m.call.state === state;
const signalOf = (id, kind, seq) => (m) => m.type === 'signal' && m.call_id === id && m.kind === kind && m.seq === seq;

function dataDir() {
  return pg.psql("SELECT setting FROM pg_settings WHERE name = 'data_directory'");
}

/// The postmaster and its children, and the runuser above it (it stops itself when its child
/// stops, and must be continued too), as in 22-faults-postgres.
function clusterPids(dir) {
  const postmaster = Number(readFileSync(`${dir}/postmaster.pid`, 'utf8').split('\n')[0]);
  const children = execFileSync('pgrep', ['-P', String(postmaster)]).toString().trim().split('\n').map(Number);
  const runuser = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${postmaster}/status`, 'utf8'))[1]);
  return { paused: [postmaster, ...children], runuser };
}

function signal(pids, sig) {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone already */
    }
  }
}

function pgCtl(args) {
  const versions = readdirSync('/usr/lib/postgresql').sort();
  const bin = join('/usr/lib/postgresql', versions[versions.length - 1], 'bin', 'pg_ctl');
  execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], { stdio: 'pipe' });
}

/// A call accepted by `staff` on `staffNode`, placed by `client` on `clientNode`; returns the
/// call and both sockets.
async function liveCall(staffNode, clientNode) {
  const org = uniq('org');
  const staff = user(org, 'staff', 'sol');
  const client = user(org, 'client', 'cal');
  const staffWs = await readyStaff(staffNode, staff);
  const clientWs = await connectUser(clientNode, client);
  const c = await createCall(clientNode, client);
  await staffWs.waitFor(incoming(c.id), 5000, 'ring');
  expectStatus(await action(staffNode, staff, c.id, 'accept'), 200);
  await clientWs.waitFor(updated(c.id, 'accepted'), 5000, 'accepted');
  expectStatus(await action(clientNode, client, c.id, 'connected'), 200);
  await staffWs.waitFor(updated(c.id, 'active'), 5000, 'active');
  return { c, staff, client, staffWs, clientWs };
}

/// Signals both ways for `ms`, one pair every 250 ms (an ICE restart: restart, offer, answer,
/// candidates); each must be relayed, none refused. Returns the slowest relay in ms.
async function signalFor(ms, { c, staffWs, clientWs }, firstSeq) {
  const kinds = ['restart', 'offer', 'answer', 'candidate'];
  let seq = firstSeq;
  let slowest = 0;
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const kind = kinds[seq % kinds.length];
    const sent = Date.now();
    clientWs.send({ type: 'signal', call_id: c.id, kind, data: { n: seq }, seq });
    staffWs.send({ type: 'signal', call_id: c.id, kind, data: { n: seq }, seq });
    await staffWs.waitFor(signalOf(c.id, kind, seq), 10000, `client→staff ${kind} ${seq}`);
    await clientWs.waitFor(signalOf(c.id, kind, seq), 10000, `staff→client ${kind} ${seq}`);
    slowest = Math.max(slowest, Date.now() - sent);
    seq++;
    await delay(250);
  }
  for (const ws of [staffWs, clientWs]) {
    assert.deepEqual(ws.seen((m) => m.type === 'error'), [], 'no signal refused');
  }
  return { slowest, next: seq };
}

test('one node, PostgreSQL paused for 5 s mid-call: signals both ways are relayed at once', L(async () => {
  // No sweep and no due check during the pause: storage still runs on the io thread (issue 8,
  // item 4), so their statements would hold every relay of the node until its 6 s deadline.
  // With nothing else reading, a relay that read the database would stall here for 6 s.
  const srv = await startServer(['--ring-timeout', '30s', '--sweep-interval', '60s', '--due-check-interval', '60s'], { db: pg.url });
  servers.push(srv);
  const call = await liveCall(srv, srv);
  const { paused, runuser } = clusterPids(dataDir());
  signal(paused, 'SIGSTOP');
  // Woken on time whatever the signalling does.
  const resume = new Promise((res) => {
    setTimeout(() => {
      signal([...paused, runuser], 'SIGCONT');
      res();
    }, 5000);
  });
  let during;
  try {
    during = await signalFor(4500, call, 1);
  } finally {
    await resume;
  }
  console.log(`single node, paused PostgreSQL: ${during.next - 1} signal pairs relayed, slowest ${during.slowest} ms`);
  assert.ok(during.slowest < 1000, `slowest relay ${during.slowest} ms`);
  await poll(async () => (await srv.request('GET', '/readyz')).status === 200,
    { timeoutMs: 20000, intervalMs: 250, what: '/readyz 200 after the pause' });
  await signalFor(500, call, during.next);
  expectStatus(await action(srv, call.client, call.c.id, 'end'), 200);
  await srv.stop();
  servers.length = 0;
}));

test('two nodes, PostgreSQL shut down for 5 s mid-call: signals between the nodes are still relayed, writes get 503', L(async () => {
  const args = ['--redis', redis.url, '--ring-timeout', '30s'];
  const a = await startServer(args, { db: pg.url });
  const b = await startServer(args, { db: pg.url });
  servers.push(a, b);
  const call = await liveCall(b, a); // staff on B, client on A
  const dir = dataDir();
  const port = new URL(pg.url).port;
  const socketDir = join(dir, '..');
  // Let the participants' entries age past the 1 s after which a node with peers rechecks them.
  await delay(1500);
  pgCtl(['-D', dir, 'stop', '-m', 'immediate', '-w']);
  let during;
  try {
    const refused = await a.request('POST', '/v1/calls', { token: user(uniq('org'), 'client').token, body: {} });
    expectError(refused, 503, 'unavailable');
    during = await signalFor(5000, call, 1);
  } finally {
    pgCtl(['-D', dir, 'start', '-w', '-o',
      `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', join(socketDir, 'restart.log')]);
  }
  console.log(`two nodes, PostgreSQL down: ${during.next - 1} signal pairs relayed, slowest ${during.slowest} ms`);
  assert.ok(during.slowest < 2000, `slowest relay ${during.slowest} ms`);
  for (const n of [a, b]) {
    await poll(async () => (await n.request('GET', '/readyz')).status === 200,
      { timeoutMs: 15000, intervalMs: 250, what: `/readyz 200 on #${n.n} after PostgreSQL is back` });
  }
  await signalFor(500, call, during.next);
  expectStatus(await action(a, call.client, call.c.id, 'end'), 200);
  await call.staffWs.waitFor(updated(call.c.id, 'ended'), 5000, 'the end reaches B');
}));
