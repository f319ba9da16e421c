// Issue 11 (docs/queue.md): the queue, topics and transfer on one node. A full queue,
// the order under 20 callers and 3 staff, the queue after kill -9, topics, and transfers to a
// person and to a topic, one of them unanswered.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, user, mintToken, readyStaff, connectUser, createCall, getCall, action, request,
  setStatus, poll, expectStatus, expectError, uniq, withLogs, delay,
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
const updated = (id, state) => (m) => m.type === 'call.updated' && m.call?.id === id && m.call.state === state;

/** A staff member whose token carries a `skills` claim. */
function skilled(org, id, skills) {
  const u = user(org, 'staff', id);
  return { ...u, token: mintToken({ sub: u.id, org, role: 'staff', name: u.name, skills }) };
}

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

async function queue(srv, viewer) {
  const r = await request(srv, 'GET', '/v1/queue', { token: viewer.token });
  expectStatus(r, 200);
  return r.body.calls;
}

test('a call for busy staff is queued with its place; beyond --max-queue it is queue_full', L(async () => {
  const srv = await server(['--max-queue', '2']);
  const org = uniq('org');
  const ana = user(org, 'staff', 'ana');
  const admin = user(org, 'admin', 'boss');
  const anaWs = await readyStaff(srv, ana);
  const first = await busy(srv, org, ana, anaWs);

  const callers = [user(org, 'client'), user(org, 'client')];
  const callerWs = await Promise.all(callers.map((c) => connectUser(srv, c)));
  const queued = [];
  for (const c of callers) queued.push(await createCall(srv, c));
  assert.deepEqual(queued.map((c) => c.state), ['queued', 'queued']);
  assert.deepEqual(queued.map((c) => c.queue.position), [1, 2]);
  assert.ok(queued[0].queued_at, 'queued_at is set');
  assert.equal(queued[0].queue.estimated_wait_s, null, 'no estimate before any answered call');
  const full = await request(srv, 'POST', '/v1/calls', { token: user(org, 'client').token, body: {} });
  expectError(full, 409, 'queue_full');
  assert.equal(full.body.error.retryable, true);
  expectError(await request(srv, 'GET', '/v1/queue', { token: callers[0].token }), 403, 'forbidden');
  assert.deepEqual((await queue(srv, admin)).map((c) => [c.id, c.queue.position]),
    [[queued[0].id, 1], [queued[1].id, 2]]);
  const heard = await callerWs[1].waitType('queue.updated', (m) => m.call_id === queued[1].id, 3000);
  assert.equal(heard.position, 2);

  // The staff member hangs up: the head of the queue rings, the other moves up.
  expectStatus(await action(srv, ana, first.call.id, 'end'), 200);
  await anaWs.waitFor(incoming(queued[0].id), 3000, 'the head of the queue rings');
  await callerWs[0].waitFor(updated(queued[0].id, 'ringing'), 3000, 'the caller hears it rings');
  const moved = await callerWs[1].waitType('queue.updated', (m) => m.position === 1, 3000);
  assert.ok(moved.estimated_wait_s > 0, 'an answered call gives an estimate');
  const metrics = (await request(srv, 'GET', '/metrics')).text;
  assert.match(metrics, /^switchboard_queued_calls 1$/m);
  // Its wait is observed once it is settled (answered, or ended): while it rings it may still
  // go back to the queue (docs/queue.md).
  assert.match(metrics, /^switchboard_queue_wait_seconds_count 0$/m);
  expectStatus(await action(srv, ana, queued[0].id, 'accept'), 200);
  assert.match((await request(srv, 'GET', '/metrics')).text, /^switchboard_queue_wait_seconds_count 1$/m);
}));

test('a queued call rings whoever becomes ringable: going available, and after wrap-up', L(async () => {
  const srv = await server(['--wrap-up', '1s']);
  const org = uniq('org');
  const ana = user(org, 'staff', 'ana');
  const bo = user(org, 'staff', 'bo');
  const anaWs = await readyStaff(srv, ana);
  const boWs = await connectUser(srv, bo);  // Connected, away.
  await setStatus(srv, bo, 'away');
  const first = await busy(srv, org, ana, anaWs);
  const cl = user(org, 'client');
  const q = await createCall(srv, cl);
  assert.equal(q.state, 'queued');
  await setStatus(srv, bo, 'available');
  await boWs.waitFor(incoming(q.id), 3000, 'the queued call rings bo when he goes available');
  expectStatus(await action(srv, bo, q.id, 'accept'), 200);

  const cl2 = user(org, 'client');
  const q2 = await createCall(srv, cl2);
  assert.equal(q2.state, 'queued');
  expectStatus(await action(srv, ana, first.call.id, 'end'), 200);
  await anaWs.expectNone(incoming(q2.id), 700, 'a ring during wrap-up');
  await anaWs.waitFor(incoming(q2.id), 3000, 'the queued call rings ana after her wrap-up');
}));

test('20 callers and 3 staff: first in, first out', L(async () => {
  const srv = await server(['--max-queue', '50']);
  const org = uniq('org');
  const staff = ['s1', 's2', 's3'].map((id) => user(org, 'staff', id));
  const staffWs = await Promise.all(staff.map((s) => readyStaff(srv, s)));
  const live = await Promise.all(staff.map((s, i) => busy(srv, org, s, staffWs[i])));
  const callers = Array.from({ length: 20 }, () => user(org, 'client'));
  const calls = [];
  for (const c of callers) calls.push(await createCall(srv, c));
  assert.ok(calls.every((c) => c.state === 'queued'));
  assert.deepEqual(calls.map((c) => c.queue.position), calls.map((_, i) => i + 1));

  // Each staff member hangs up, answers whatever rings for them next, holds it briefly, and so
  // on until nothing more rings.
  const ids = new Set(calls.map((c) => c.id));
  const answered = [];
  const work = staff.map(async (s, i) => {
    let current = live[i].call.id;
    for (;;) {
      if (current) expectStatus(await action(srv, s, current, 'end'), 200);
      current = null;
      let next;
      try {
        next = await staffWs[i].waitFor((m) => m.type === 'call.incoming' && ids.has(m.call.id)
          && !answered.includes(m.call.id), 3000, 'the next queued call');
      } catch {
        return;  // Nothing more rings for this staff member.
      }
      const r = await action(srv, s, next.call.id, 'accept');
      if (r.status !== 200) continue;  // Another staff member took it (ring-all).
      answered.push(next.call.id);
      current = next.call.id;
      await delay(20);
    }
  });
  await Promise.all(work);
  assert.equal(answered.length, 20, 'every caller got through');
  // The server promoted them in queue order: each new ring deadline is no earlier than the one
  // before (a promotion sets it to now + ring timeout).
  const rung = await Promise.all(calls.map((c, i) => getCall(srv, callers[i], c.id)));
  for (let i = 1; i < rung.length; i++) {
    assert.ok(Date.parse(rung[i].ring_deadline) >= Date.parse(rung[i - 1].ring_deadline),
      `call ${i + 1} rang no earlier than call ${i}`);
  }
}));

test('the queue comes back after kill -9 in the same order, with the same deadlines', L(async () => {
  const srv = await server(['--queue-timeout', '8s']);
  const org = uniq('org');
  const ana = user(org, 'staff', 'ana');
  const admin = user(org, 'admin', 'boss');
  const anaWs = await readyStaff(srv, ana);
  await busy(srv, org, ana, anaWs);
  const callers = [user(org, 'client'), user(org, 'client'), user(org, 'client')];
  for (const c of callers) await createCall(srv, c);
  const before = await queue(srv, admin);
  assert.equal(before.length, 3);
  await srv.kill9();
  const again = await server(['--queue-timeout', '8s'], { dir: srv.dir });
  const after9 = await queue(again, admin);
  assert.deepEqual(after9.map((c) => [c.id, c.ring_deadline, c.queued_at, c.queue.position]),
    before.map((c) => [c.id, c.ring_deadline, c.queued_at, c.queue.position]));
  // Each ends missed with queue_timeout within about a second of its deadline.
  await poll(async () => (await getCall(again, callers[2], after9[2].id)).state === 'missed',
    { timeoutMs: 12000, what: 'the queue deadline after the restart' });
  for (const [i, c] of after9.entries()) {
    const ended = await getCall(again, callers[i], c.id);
    assert.deepEqual([ended.state, ended.end_reason], ['missed', 'queue_timeout']);
    const late = Date.parse(ended.ended_at) - Date.parse(c.ring_deadline);
    assert.ok(late >= 0 && late < 1500, `ended ${late} ms after its deadline`);
  }
}));

test('topics: only staff with the skill are rung or queued for; a topic nobody serves is refused', L(async () => {
  const srv = await server([]);
  const org = uniq('org');
  const ana = skilled(org, 'ana', ['billing']);
  const bo = skilled(org, 'bo', ['tech']);
  const admin = user(org, 'admin', 'boss');
  const anaWs = await readyStaff(srv, ana);
  const boWs = await readyStaff(srv, bo);
  const board = (await request(srv, 'GET', '/v1/staff/availability', { token: admin.token })).body.staff;
  assert.deepEqual(board.find((e) => e.id === ana.id).skills, ['billing']);
  const adminWs = await connectUser(srv, admin);
  adminWs.send({ type: 'subscribe', topic: 'board' });
  const snapshot = await adminWs.waitType('board', () => true, 3000);
  assert.deepEqual(snapshot.staff.find((e) => e.id === bo.id).skills, ['tech']);

  expectError(await request(srv, 'POST', '/v1/calls', { token: user(org, 'client').token, body: { topic: 'sales' } }),
    409, 'no_staff_available');
  expectError(await request(srv, 'POST', '/v1/calls', { token: user(org, 'client').token, body: { topic: 'no spaces' } }),
    400, 'invalid_request');
  const cl = user(org, 'client');
  const c = await createCall(srv, cl, { topic: 'billing' });
  assert.deepEqual([c.state, c.topic], ['ringing', 'billing']);
  await anaWs.waitFor(incoming(c.id), 3000, 'the billing call rings ana');
  await boWs.expectNone(incoming(c.id), 500, 'a billing ring for the tech staff member');
  expectStatus(await action(srv, ana, c.id, 'accept'), 200);
  const waiting = await createCall(srv, user(org, 'client'), { topic: 'billing' });
  assert.equal(waiting.state, 'queued', 'bo is free but does not serve billing');
  const plain = await createCall(srv, user(org, 'client'));
  assert.equal(plain.state, 'ringing', 'a call without a topic is for everyone');
  await boWs.waitFor(incoming(plain.id), 3000, 'bo rung for a call without a topic');
}));

test('transfer to a person, then to a topic nobody answers', L(async () => {
  const srv = await server(['--ring-timeout', '2s']);
  const org = uniq('org');
  const ana = user(org, 'staff', 'ana');
  const ben = user(org, 'staff', 'ben');
  const cy = skilled(org, 'cy', ['billing']);
  const cl = user(org, 'client', 'cat');
  const anaWs = await readyStaff(srv, ana);
  const benWs = await readyStaff(srv, ben);
  const clWs = await connectUser(srv, cl);
  const c = await createCall(srv, cl, { staff_id: ana.id, metadata: { ref: 'A-1' } });
  await anaWs.waitFor(incoming(c.id), 3000, 'ring');
  expectStatus(await action(srv, ana, c.id, 'accept'), 200);
  expectError(await action(srv, ana, c.id, 'transfer', { staff_id: ben.id }), 409, 'invalid_transition');
  expectStatus(await action(srv, cl, c.id, 'connected'), 200);
  expectError(await action(srv, cl, c.id, 'transfer', { staff_id: ben.id }), 403, 'forbidden');
  expectError(await action(srv, ana, c.id, 'transfer', {}), 400, 'invalid_request');
  expectError(await action(srv, ana, c.id, 'transfer', { topic: 'billing' }), 409, 'no_staff_available');

  const r = await action(srv, ana, c.id, 'transfer', { staff_id: ben.id });
  expectStatus(r, 201);
  const next = r.body;
  assert.deepEqual([next.state, next.transferred_from, next.caller.id, next.metadata.ref],
    ['ringing', c.id, cl.id, 'A-1']);
  const old = await getCall(srv, cl, c.id);
  assert.deepEqual([old.state, old.end_reason, old.transferred_to], ['ended', 'transferred', next.id]);
  await clWs.waitFor((m) => m.type === 'call.updated' && m.call.id === c.id && m.call.transferred_to === next.id,
    3000, 'the caller hears the old call was transferred');
  assert.deepEqual(next.transfer_target, { id: ben.id, name: ben.name });
  const heardNext = await clWs.waitFor(updated(next.id, 'ringing'), 3000, 'and of the new call');
  assert.equal(heardNext.call.transfer_target?.name, ben.name, 'named, for "Transferring you to Ben…"');
  await benWs.waitFor(incoming(next.id), 3000, 'ben is rung');
  expectStatus(await action(srv, ben, next.id, 'accept'), 200);
  expectStatus(await action(srv, cl, next.id, 'connected'), 200);

  // On to billing: cy is rung and lets it ring out; the caller sees that call missed.
  await readyStaff(srv, cy);
  const r2 = await action(srv, ben, next.id, 'transfer', { topic: 'billing' });
  expectStatus(r2, 201);
  assert.equal(r2.body.topic, 'billing');
  await clWs.waitFor(updated(r2.body.id, 'missed'), 5000, 'the unanswered transfer ends missed');
  const metrics = (await request(srv, 'GET', '/metrics')).text;
  assert.match(metrics, /switchboard_calls_finished_total\{reason="transferred",state="ended"\} 2/);
  assert.match(metrics, /^switchboard_calls_created_total 3$/m);
}));

test('a promoted call declined goes back to its place and deadline; staff who refused it are not offered it again', L(async () => {
  const srv = await server(['--ring-timeout', '2s']);
  const org = uniq('org');
  const ana = user(org, 'staff', 'ana');
  const ben = user(org, 'staff', 'ben');
  const anaWs = await readyStaff(srv, ana);
  const benWs = await readyStaff(srv, ben);
  const anaCall = await busy(srv, org, ana, anaWs);
  const benCall = await busy(srv, org, ben, benWs);
  const dan = user(org, 'client', 'dan');
  const eli = user(org, 'client', 'eli');
  const danWs = await connectUser(srv, dan);
  const queued = await createCall(srv, dan);
  await delay(20);
  const behind = await createCall(srv, eli);
  assert.deepEqual([queued.state, behind.state], ['queued', 'queued']);

  expectStatus(await action(srv, ana, anaCall.call.id, 'end'), 200);
  await anaWs.waitFor(incoming(queued.id), 3000, 'the head of the queue rings ana');
  expectStatus(await action(srv, ana, queued.id, 'decline'), 200);
  // ben, only busy, could still take it: it waits again, where it was, until the same deadline.
  const back = await danWs.waitFor(updated(queued.id, 'queued'), 3000, 'the caller waits again');
  assert.equal(back.call.queue.position, 1);
  assert.equal(back.call.end_reason, null);
  const now = await getCall(srv, dan, queued.id);
  assert.deepEqual([now.state, now.version, now.queued_at], ['queued', 3, queued.queued_at]);
  assert.equal(now.ring_deadline, queued.ring_deadline, 'the queue deadline it had');
  // ana is offered the call behind it instead.
  await anaWs.waitFor(incoming(behind.id), 3000, 'ana is offered the next call');
  assert.equal((await getCall(srv, dan, queued.id)).state, 'queued');

  // ben is freed: it rings him; he lets it ring out, and nobody who has not refused it is left.
  expectStatus(await action(srv, ben, benCall.call.id, 'end'), 200);
  await benWs.waitFor(incoming(queued.id), 3000, 'ben is rung for it');
  const missed = await danWs.waitFor(updated(queued.id, 'missed'), 5000, 'it ends missed');
  assert.equal(missed.call.end_reason, 'timeout');
}));

test('a promoted call that rings out waits again until its queue deadline', L(async () => {
  const srv = await server(['--ring-timeout', '2s', '--queue-timeout', '6s']);
  const org = uniq('org');
  const ana = user(org, 'staff', 'ana');
  const ben = user(org, 'staff', 'ben');
  const anaWs = await readyStaff(srv, ana);
  const benWs = await readyStaff(srv, ben);
  const anaCall = await busy(srv, org, ana, anaWs);
  await busy(srv, org, ben, benWs);
  const dan = user(org, 'client', 'dan');
  const danWs = await connectUser(srv, dan);
  const queued = await createCall(srv, dan);
  expectStatus(await action(srv, ana, anaCall.call.id, 'end'), 200);
  await danWs.waitFor(updated(queued.id, 'ringing'), 3000, 'promoted');
  await danWs.waitFor(updated(queued.id, 'queued'), 4000, 'rung out: back in the queue');
  const missed = await danWs.waitFor(updated(queued.id, 'missed'), 8000, 'then the queue timeout');
  assert.equal(missed.call.end_reason, 'queue_timeout');
  const lateness = Date.parse(missed.call.ended_at) - Date.parse(queued.ring_deadline);
  assert.ok(lateness >= 0 && lateness < 1500, `ended at its queue deadline (${lateness} ms late)`);
}));
