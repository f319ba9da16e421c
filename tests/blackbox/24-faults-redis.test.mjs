// Issue 10, item 4: the Redis outage policy (docs/faults.md) on two nodes sharing PostgreSQL and
// Redis. While Redis is paused (SIGSTOP) or killed for about 10 s:
// - users on the same node keep being rung and relayed at once (deliveries never wait for Redis);
// - /readyz is 503 (the bus does not reach the other nodes), a log line says so, and /metrics
//   shows switchboard_bus_up 0 and the queue for the other nodes;
// - what was meant for the other node arrives once Redis is back: nothing lost, nothing twice,
//   signals in order.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  startServer, user, uniq, readyStaff, connectUser, createCall, action, expectStatus, withLogs,
  poll, delay,
} from './lib/harness.mjs';
import { startPostgres, startRedis } from './lib/services.mjs';

let pg;
let redis;
let a;
let b;
const nodes = () => [a, b];
const L = (fn) => withLogs(() => nodes(), fn);

before(async () => {
  pg = await startPostgres();
  redis = await startRedis();
  const args = ['--redis', redis.url, '--ring-timeout', '60s'];
  a = await startServer(args, { db: pg.url });
  b = await startServer(args, { db: pg.url });
});

after(async () => {
  for (const n of nodes()) await n?.stop();
  await redis?.stop();
  await pg?.stop();
});

const incoming = (id) => (m) => m.type === 'call.incoming' && m.call?.id === id;
const updated = (id, state) => (m) => m.type === 'call.updated' && m.call?.id === id && m.call.state === state;
const signalFrom = (id, kind) => (m) => m.type === 'signal' && m.call_id === id && m.kind === kind;

function redisPid() {
  const port = new URL(redis.url).port;
  return Number(execFileSync('pgrep', ['-f', `redis-server 127.0.0.1:${port}`]).toString().trim().split('\n')[0]);
}

async function metric(srv, name) {
  const { text } = await srv.request('GET', '/metrics');
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

/// Within `ms`, or fail: what "at once" means while Redis is away.
async function quickly(ms, what, fn) {
  const t0 = Date.now();
  const out = await fn();
  const took = Date.now() - t0;
  assert.ok(took < ms, `${what} took ${took} ms`);
  return out;
}

/// Two live calls set up while Redis works: one whose users are both on node A, one with the
/// client on A and the staff member on B. Returns their sockets.
async function liveCalls() {
  const local = { org: uniq('org-local') };
  local.staff = user(local.org, 'staff', 'lena');
  local.client = user(local.org, 'client', 'luc');
  local.staffWs = await readyStaff(a, local.staff);
  local.clientWs = await connectUser(a, local.client);
  const cross = { org: uniq('org-cross') };
  cross.staff = user(cross.org, 'staff', 'bo');
  cross.client = user(cross.org, 'client', 'cy');
  cross.staffWs = await readyStaff(b, cross.staff);
  cross.clientWs = await connectUser(a, cross.client);
  const c = await createCall(a, cross.client);
  await cross.staffWs.waitFor(incoming(c.id), 5000, 'cross-node ring before the outage');
  expectStatus(await action(b, cross.staff, c.id, 'accept'), 200);
  await cross.clientWs.waitFor(updated(c.id, 'accepted'), 5000, 'accept seen on A before the outage');
  cross.call = c;
  // Rung by a second call during the outage (the first staff member is busy).
  cross.staff2 = user(cross.org, 'staff', 'bea');
  cross.client2 = user(cross.org, 'client', 'dee');
  cross.staff2Ws = await readyStaff(b, cross.staff2);
  cross.client2Ws = await connectUser(a, cross.client2);
  return { local, cross };
}

/// Everything a user on node A can do with a user on node A while Redis is away, each step
/// within a second; and signals sent on the cross-node call meanwhile, which must wait.
async function duringOutage({ local, cross }) {
  const c = await quickly(2000, 'POST /calls', () => createCall(a, local.client));
  await quickly(1000, 'the ring on the same node', () => local.staffWs.waitFor(incoming(c.id), 1000, 'ring'));
  expectStatus(await action(a, local.staff, c.id, 'accept'), 200);
  await quickly(1000, 'the accept on the same node', () => local.clientWs.waitFor(updated(c.id, 'accepted'), 1000, 'accepted'));
  for (let seq = 1; seq <= 5; seq++) {
    local.staffWs.send({ type: 'signal', call_id: c.id, kind: 'offer', data: { sdp: `o${seq}` }, seq });
    await quickly(1000, 'a signal staff→client', () => local.clientWs.waitFor(signalFrom(c.id, 'offer'), 1000, `offer ${seq}`));
    local.clientWs.send({ type: 'signal', call_id: c.id, kind: 'answer', data: { sdp: `a${seq}` }, seq });
    await quickly(1000, 'a signal client→staff', () => local.staffWs.waitFor(signalFrom(c.id, 'answer'), 1000, `answer ${seq}`));
  }
  expectStatus(await action(a, local.client, c.id, 'end'), 200);
  await quickly(1000, 'the end on the same node', () => local.staffWs.waitFor(updated(c.id, 'ended'), 1000, 'ended'));
  local.call = c;
  // The cross-node call: these wait in A's queue until Redis is back.
  for (let seq = 1; seq <= 5; seq++) {
    cross.clientWs.send({ type: 'signal', call_id: cross.call.id, kind: 'candidate', data: { c: `c${seq}` }, seq });
  }
  // A new call on A rings staff on B only after Redis is back.
  cross.second = await createCall(a, cross.client2);
}

async function afterOutage({ local, cross }) {
  for (const n of nodes()) {
    await poll(async () => (await n.request('GET', '/readyz')).status === 200,
      { timeoutMs: 10000, intervalMs: 200, what: `/readyz 200 on node #${n.n} once Redis is back` });
  }
  await cross.staff2Ws.waitFor(incoming(cross.second.id), 10000, 'the ring queued on A reaches B');
  const candidates = [];
  for (let i = 0; i < 5; i++) {
    candidates.push(await cross.staffWs.waitFor(signalFrom(cross.call.id, 'candidate'), 10000, `candidate ${i + 1} from A`));
  }
  assert.deepEqual(candidates.map((m) => m.seq), [1, 2, 3, 4, 5], 'in order');
  // Signals from B to A flow again.
  cross.staffWs.send({ type: 'signal', call_id: cross.call.id, kind: 'answer', data: { sdp: 'late' }, seq: 9 });
  await cross.clientWs.waitFor(signalFrom(cross.call.id, 'answer'), 5000, 'B→A after the outage');
  expectStatus(await action(a, cross.client, cross.call.id, 'end'), 200);
  await cross.staffWs.waitFor(updated(cross.call.id, 'ended'), 5000, 'the end reaches B');
  expectStatus(await action(a, cross.client2, cross.second.id, 'cancel'), 200);
  await cross.staff2Ws.waitFor(updated(cross.second.id, 'cancelled'), 5000, 'the cancel reaches B');
  await delay(1000); // anything repeated would have arrived by now

  // Nothing twice: each event and signal was received once.
  const once = (ws, pred, what) => assert.equal(ws.seen(pred).length, 1, `${what}: ${ws.dump()}`);
  once(local.staffWs, incoming(local.call.id), 'local ring');
  once(local.clientWs, updated(local.call.id, 'accepted'), 'local accept');
  once(local.staffWs, updated(local.call.id, 'ended'), 'local end');
  assert.equal(local.clientWs.seen(signalFrom(local.call.id, 'offer')).length, 5);
  assert.equal(local.staffWs.seen(signalFrom(local.call.id, 'answer')).length, 5);
  once(cross.staff2Ws, incoming(cross.second.id), 'queued ring');
  once(cross.staff2Ws, updated(cross.second.id, 'cancelled'), 'queued cancel');
  assert.equal(cross.staffWs.seen(signalFrom(cross.call.id, 'candidate')).length, 5, 'queued candidates');
  once(cross.staffWs, updated(cross.call.id, 'ended'), 'cross end');
  for (const w of [local.staffWs, local.clientWs, cross.staffWs, cross.clientWs, cross.staff2Ws, cross.client2Ws]) w.close();
}

async function expectBusDown() {
  for (const n of nodes()) {
    await poll(async () => (await n.request('GET', '/readyz')).status === 503,
      { timeoutMs: 5000, intervalMs: 200, what: `/readyz 503 on node #${n.n} while Redis is away` });
    assert.equal(await metric(n, 'switchboard_bus_up'), 0);
    assert.ok(n.logs.some((l) => l.includes('bus.redis.down')), 'a bus.redis.down log line');
  }
}

test('Redis paused for 10 s: the same node rings and relays at once; the other node gets everything after, once',
  L(async () => {
    const calls = await liveCalls();
    const pid = redisPid();
    process.kill(pid, 'SIGSTOP');
    const t0 = Date.now();
    try {
      await expectBusDown();
      await duringOutage(calls);
      assert.ok(await metric(a, 'switchboard_bus_pending') > 0, 'deliveries queued for B');
      const left = 10000 - (Date.now() - t0);
      if (left > 0) await delay(left);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await afterOutage(calls);
    assert.ok(a.logs.some((l) => l.includes('bus.redis.up') && l.includes('away')), 'a bus.redis.up line with the outage');
    assert.equal(await metric(a, 'switchboard_bus_dropped_total'), 0);
    console.log(`paused Redis: node A skipped ${await metric(a, 'switchboard_bus_duplicates_total')}, `
      + `node B ${await metric(b, 'switchboard_bus_duplicates_total')} repeated entries`);
  }));

test('Redis killed for 10 s and restarted empty: the same, and nothing queued is lost', L(async () => {
  const calls = await liveCalls();
  await redis.kill();
  const t0 = Date.now();
  try {
    await expectBusDown();
    await duringOutage(calls);
    const left = 10000 - (Date.now() - t0);
    if (left > 0) await delay(left);
  } finally {
    await redis.restart();
  }
  await afterOutage(calls);
  assert.equal(await metric(a, 'switchboard_bus_dropped_total'), 0);
  assert.ok(await metric(a, 'switchboard_bus_reconnects_total') >= 2);
}));
