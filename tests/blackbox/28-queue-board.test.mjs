// Issue 11 (docs/asyncapi.yaml, docs/queue.md): the staff board follows the queue, and the queue wait metric
// sees each call once. A call that joins or leaves the queue while every staff member stays as
// they were still moves a board.updated (with the queue's length and no staff rows), so the
// staff console needs no polling; a call promoted, declined, put back and promoted again is one
// observation of switchboard_queue_wait_seconds, made when it is answered.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, user, readyStaff, connectUser, createCall, getCall, action, request,
  expectStatus, uniq, withLogs, delay,
} from './lib/harness.mjs';

const servers = [];
async function server(args, opts) {
  const s = await startServer(args, opts);
  servers.push(s);
  return s;
}
after(async () => {
  for (const s of servers) await s.stop();
});
const L = (fn) => withLogs(() => servers, fn);

const incoming = (id) => (m) => m.type === 'call.incoming' && m.call?.id === id;
const boardWithQueue = (length) => (m) => m.type === 'board.updated' && m.queue?.length === length;

/** `staff` takes a new call of a fresh client and stays in it; returns {call, client}. */
async function busy(srv, org, staff, staffWs) {
  const client = user(org, 'client');
  const c = await createCall(srv, client);
  assert.equal(c.state, 'ringing');
  await staffWs.waitFor(incoming(c.id), 5000, 'call.incoming');
  expectStatus(await action(srv, staff, c.id, 'accept'), 200);
  expectStatus(await action(srv, client, c.id, 'connected'), 200);
  return { call: c, client };
}

async function waitMetric(srv) {
  const text = (await request(srv, 'GET', '/metrics')).text;
  const count = Number(/^switchboard_queue_wait_seconds_count (\S+)$/m.exec(text)?.[1]);
  const sum = Number(/^switchboard_queue_wait_seconds_sum (\S+)$/m.exec(text)?.[1]);
  return { count, sum };
}

test('a staff subscriber hears board.updated when a call joins the queue and when it leaves, though no staff row changed', L(async () => {
  const srv = await server([]);
  const org = uniq('org');
  const ana = user(org, 'staff', 'ana');
  const watcher = user(org, 'staff', 'bo');
  const anaWs = await readyStaff(srv, ana);
  const first = await busy(srv, org, ana, anaWs);
  const boardWs = await connectUser(srv, watcher);
  boardWs.send({ type: 'subscribe', topic: 'board' });
  const snapshot = await boardWs.waitType('board', () => true, 3000);
  assert.deepEqual(snapshot.queue, { length: 0 });
  // Rows that changed as the watcher connected may still come in the first board.updated.
  await delay(800);
  boardWs.skipAll();

  // Joins: ana stays in her call, so only the queue changed.
  const dan = user(org, 'client');
  const queued = await createCall(srv, dan);
  assert.equal(queued.state, 'queued');
  const joined = await boardWs.waitFor(boardWithQueue(1), 3000, 'board.updated with one call queued');
  assert.deepEqual(joined.staff, [], 'no staff row changed');

  // Leaves without ringing: the caller gives up.
  expectStatus(await action(srv, dan, queued.id, 'cancel'), 200);
  const cancelled = await boardWs.waitFor(boardWithQueue(0), 3000, 'board.updated after the caller left the queue');
  assert.deepEqual(cancelled.staff, [], 'no staff row changed');

  // Leaves by ringing: ana hangs up and the next queued call rings her.
  const eli = user(org, 'client');
  const next = await createCall(srv, eli);
  assert.equal(next.state, 'queued');
  await boardWs.waitFor(boardWithQueue(1), 3000, 'board.updated with the next call queued');
  expectStatus(await action(srv, ana, first.call.id, 'end'), 200);
  await anaWs.waitFor(incoming(next.id), 3000, 'the queued call rings ana');
  await boardWs.waitFor(boardWithQueue(0), 3000, 'board.updated after the call left the queue to ring');
  const seqs = boardWs.seen((m) => m.type === 'board' || m.type === 'board.updated').map((m) => m.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'seq grows by one per board message');
}));

test('a call promoted, declined, put back and promoted again is observed once in the queue wait metric', L(async () => {
  const srv = await server([]);
  const org = uniq('org');
  const ana = user(org, 'staff', 'ana');
  const bo = user(org, 'staff', 'bo');
  const anaWs = await readyStaff(srv, ana);
  const boWs = await readyStaff(srv, bo);
  const anaCall = await busy(srv, org, ana, anaWs);
  const boCall = await busy(srv, org, bo, boWs);
  const before = await waitMetric(srv);

  const dan = user(org, 'client');
  const queued = await createCall(srv, dan);
  assert.equal(queued.state, 'queued');
  expectStatus(await action(srv, ana, anaCall.call.id, 'end'), 200);
  await anaWs.waitFor(incoming(queued.id), 3000, 'the queued call rings ana');
  // ana declines; bo (busy) serves it too: back to its place in the queue.
  expectStatus(await action(srv, ana, queued.id, 'decline'), 200);
  assert.equal((await getCall(srv, dan, queued.id)).state, 'queued');
  assert.equal((await waitMetric(srv)).count, before.count, 'not observed while it may wait again');

  expectStatus(await action(srv, bo, boCall.call.id, 'end'), 200);
  await boWs.waitFor(incoming(queued.id), 3000, 'the call rings bo');
  expectStatus(await action(srv, bo, queued.id, 'accept'), 200);
  const settled = await waitMetric(srv);
  assert.equal(settled.count, before.count + 1, 'one observation for the one call');
  const waited = (Date.parse((await getCall(srv, dan, queued.id)).accepted_at ?? new Date().toISOString())
    - Date.parse(queued.queued_at)) / 1000;
  assert.ok(settled.sum - before.sum <= waited + 0.01, `observed ${settled.sum - before.sum} s, at most the ${waited} s until answered`);
  assert.ok(settled.sum - before.sum > 0, 'the wait until it last rang');
}));
