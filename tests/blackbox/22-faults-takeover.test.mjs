// Issue 10, item 8 (docs/api.md#failures): when a node dies, the others end its due calls within about a
// second of their deadlines. Two nodes on PostgreSQL + Redis with default flags (the sweeper every
// 5 s): node A places calls and is killed with kill -9 while they ring; node B, which never set
// their timers, ends each `missed` from what the database says is due
// (docs/decisions/0010-timer-takeover.md).
// Then a dead node's presence and wrap-up ends (docs/decisions/0011-dead-node-presence.md): two
// more nodes, C and D, with --node-timeout 2s and --presence-grace 1s.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  user, uniq, readyStaff, createCall, withLogs, delay, poll, availability, action,
  connectUser, request, expectError, expectStatus,
} from './lib/harness.mjs';
import { startCluster } from './lib/services.mjs';

let cluster;
let a;
let b;

before(async () => {
  cluster = await startCluster(['--ring-timeout', '4s']);
  [a, b] = cluster.nodes;
});

after(async () => {
  await cluster?.stop();
});

const incoming = (id) => (m) => m.type === 'call.incoming' && m.call?.id === id;
const missed = (id) => (m) => m.type === 'call.updated' && m.call?.id === id && m.call.state === 'missed';

test('node A is killed while its calls ring: node B ends each missed within 1.5 s of its deadline',
  withLogs(() => [a, b], async () => {
    const org = uniq('org');
    const staffWs = await readyStaff(b, user(org, 'staff', 'nadia'));
    // When each `missed` reached the staff member on B (waitFor may find one already buffered).
    const seenAt = new Map();
    staffWs.ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.type === 'call.updated' && m.call?.state === 'missed') seenAt.set(m.call.id, Date.now());
    });

    // Six calls placed on A, 150 ms apart, so their deadlines spread over most of a check period.
    const calls = [];
    for (let i = 0; i < 6; i++) {
      calls.push(await createCall(a, user(org, 'client', `caller-${i}`)));
      await delay(150);
    }
    for (const c of calls) await staffWs.waitFor(incoming(c.id), 5000, `call ${c.id} rings on B`);
    await a.kill9();
    const firstDeadline = Date.parse(calls[0].ring_deadline);
    assert.ok(Date.now() < firstDeadline - 500, 'A died while every call still rang');

    for (const c of calls) await staffWs.waitFor(missed(c.id), 10000, `call ${c.id} missed through B`);
    const ids = calls.map((c) => `'${c.id}'`).join(',');
    const rows = cluster.pg.psql(`SELECT id, state, end_reason, ended_at - ring_deadline FROM calls WHERE id IN (${ids})`)
      .split('\n').map((line) => line.split('|'));
    assert.equal(rows.length, calls.length);
    const endedLate = new Map(rows.map(([id, , , late]) => [id, Number(late)]));
    for (const [id, state, reason] of rows) assert.deepEqual([id, state, reason], [id, 'missed', 'timeout']);
    const seenLate = calls.map((c) => seenAt.get(c.id) - Date.parse(c.ring_deadline));
    console.log(`takeover lateness after kill -9, ms past each ring deadline: ended_at ${calls.map((c) => endedLate.get(c.id)).join(', ')}; `
      + `seen by staff on B ${seenLate.join(', ')}`);
    for (const late of seenLate) {
      assert.ok(late >= 0 && late < 1500, `missed reached B ${late} ms after its deadline`);
    }
  }));

// Runs fn(c, d) on two more nodes of the cluster, with short node and presence timeouts, and
// stops them after it (their last log lines printed if it fails).
async function withPairOfNodes(extra, fn) {
  const args = ['--node-timeout', '2s', '--presence-grace', '1s', ...extra];
  const [c, d] = [await cluster.startNode(args), await cluster.startNode(args)];
  try {
    await withLogs(() => [c, d], () => fn(c, d))();
  } finally {
    await c.stop();
    await d.stop();
  }
}

const entryOf = async (node, viewer, id) => (await availability(node, viewer)).find((e) => e.id === id);

test('node C dies with a staff member connected: node D takes their presence over and stops counting them',
  () => withPairOfNodes(['--ring-timeout', '30s'], async (c, d) => {
    const org = uniq('org');
    const ghost = user(org, 'staff', 'ghost');
    const ghostWs = await readyStaff(c, ghost);
    const viewer = user(org, 'admin', 'viewer');
    assert.equal((await entryOf(d, viewer, 'ghost')).connected, true);
    const ringing = await createCall(d, user(org, 'client', 'caller-1'));
    await ghostWs.waitFor(incoming(ringing.id), 5000, 'the call rings the staff member on C');

    await c.kill9();
    const killedAt = Date.now();
    await poll(async () => (await entryOf(d, viewer, 'ghost')).connected === false,
      { timeoutMs: 10000, intervalMs: 100, what: 'D counts the staff member of dead C as gone' });
    const gone = Date.now() - killedAt;
    console.log(`staff member of a node killed with kill -9 counted gone by the other node after ${gone} ms `
      + '(--node-timeout 2s, --presence-grace 1s)');
    // Heard from at most a second before the kill; then 2 s to be dead, a due check (500 ms),
    // and a grace of 1 s counted from the last beat.
    assert.ok(gone >= 1000 && gone < 5000, `counted gone after ${gone} ms`);
    assert.ok(d.logs.some((l) => l.includes('presence.taken_over') && l.includes('ghost')),
      'D logs the takeover');
    // Nobody is there to ring: a new call is refused (docs/queue.md), not rung on a ghost.
    const after = await request(d, 'POST', '/v1/calls', { token: user(org, 'client', 'caller-2').token, body: {} });
    expectError(after, 409, 'no_staff_available');
  }));

test('node C is paused past --node-timeout: D takes it for dead, and C restores its presence when it wakes',
  () => withPairOfNodes([], async (c, d) => {
    const org = uniq('org');
    await readyStaff(c, user(org, 'staff', 'sleeper'));
    const viewer = user(org, 'admin', 'viewer');
    c.proc.kill('SIGSTOP');
    try {
      await poll(async () => (await entryOf(d, viewer, 'sleeper')).connected === false,
        { timeoutMs: 10000, intervalMs: 100, what: 'D takes the paused node for dead' });
    } finally {
      c.proc.kill('SIGCONT');
    }
    const wokeAt = Date.now();
    await poll(async () => (await entryOf(d, viewer, 'sleeper')).connected === true,
      { timeoutMs: 5000, intervalMs: 100, what: 'C says its connection is open again' });
    console.log(`a node taken for dead restored its presence ${Date.now() - wokeAt} ms after it woke`);
    assert.ok(c.logs.some((l) => l.includes('presence.restored')), 'C logs the restore');
  }));

test('node C dies during a wrap-up it timed: node D ends it within about a second and rings the staff member again',
  () => withPairOfNodes(['--wrap-up', '3s', '--ring-timeout', '30s'], async (c, d) => {
    const org = uniq('org');
    const staff = user(org, 'staff', 'wrapper');
    const staffWs = await readyStaff(d, staff);
    const caller = user(org, 'client', 'caller-1');
    await connectUser(c, caller);
    const first = await createCall(c, caller);
    await staffWs.waitFor(incoming(first.id), 5000, 'the first call rings');
    // Accepted, connected and ended through C, so C sets the wrap-up's timer.
    expectStatus(await action(c, staff, first.id, 'accept'), 200);
    expectStatus(await action(c, caller, first.id, 'connected'), 200);
    expectStatus(await action(c, caller, first.id, 'end'), 200);
    const wrapUpEnds = Date.now() + 3000;
    await c.kill9();
    // A second call waits meanwhile: only the end of the wrap-up lets it ring.
    const second = await createCall(d, user(org, 'client', 'caller-2'));
    await staffWs.waitFor(incoming(second.id), 8000, 'the waiting call rings once the wrap-up is over');
    const late = Date.now() - wrapUpEnds;
    console.log(`wrap-up timed by a node killed with kill -9 ended through the other node ${late} ms after it was due`);
    assert.ok(late > -300 && late < 1500, `rang ${late} ms after the wrap-up was due`);
    const e = await entryOf(d, staff, 'wrapper');
    assert.equal(e.state, 'ringing');
  }));
