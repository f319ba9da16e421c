// Issue 2: who is rung. ring-all, staff_id, longest-idle with --ring-step, late joiners,
// --max-missed, --wrap-up, one call per staff member, away/offline staff.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, user, readyStaff, connectUser, createCall, getCall, action, availability, setStatus,
  poll, expectStatus, expectError, uniq, withLogs,
} from './lib/harness.mjs';

const servers = [];
async function server(args) {
  const s = await startServer(args);
  servers.push(s);
  return s;
}
after(async () => {
  for (const s of servers) await s.stop();
});
const L = (fn) => withLogs(() => servers, fn);

const incoming = (id) => (m) => m.type === 'call.incoming' && m.call?.id === id;

async function entry(srv, viewer, id) {
  return (await availability(srv, viewer)).find((s) => s.id === id);
}

test('ring-all rings every available connected staff member, and nobody away, offline or gone', L(async () => {
  const srv = await server(['--ring-timeout', '30s', '--presence-grace', '1s']);
  const org = uniq('org');
  const cl = user(org, 'client');
  const avail = [user(org, 'staff', 'a1'), user(org, 'staff', 'a2'), user(org, 'staff', 'a3')];
  const away = user(org, 'staff', 'away');
  const never = user(org, 'staff', 'never-available');
  const gone = user(org, 'staff', 'gone');
  const admin = user(org, 'admin', 'boss');
  const wsAvail = await Promise.all(avail.map((s) => readyStaff(srv, s)));
  const wsAway = await readyStaff(srv, away);
  await setStatus(srv, away, 'away');
  const wsNever = await connectUser(srv, never);
  const wsGone = await readyStaff(srv, gone);
  await wsGone.close();
  // The closed one counts as offline after the 1 s presence grace.
  await poll(async () => {
    const e = await entry(srv, admin, gone.id);
    return e && e.status === 'offline' && e.connected === false;
  }, { timeoutMs: 5000, what: `${gone.id} to be offline` });
  const neverEntry = await entry(srv, admin, never.id);
  assert.ok(!neverEntry || neverEntry.status === 'offline', 'a never-seen staff member starts offline');

  const c = await createCall(srv, cl);
  await Promise.all(wsAvail.map((w) => w.waitFor(incoming(c.id), 3000, 'call.incoming')));
  await wsAway.expectNone(incoming(c.id), 500, 'a ring while away');
  await wsNever.expectNone(incoming(c.id), 10, 'a ring while offline');
  expectError(await action(srv, gone, c.id, 'accept'), 403, 'forbidden');
  expectError(await action(srv, away, c.id, 'accept'), 403, 'forbidden');
  for (const s of avail) assert.equal((await entry(srv, admin, s.id)).state, 'ringing', `${s.id} state while rung`);
  expectStatus(await action(srv, cl, c.id, 'cancel'), 200);
  await poll(async () => (await entry(srv, admin, avail[0].id)).state === 'idle', { what: 'state idle after the cancel' });
}));

test('staff_id rings only that staff member; no_staff_available when they cannot be rung', L(async () => {
  const srv = await server(['--ring-timeout', '30s']);
  const org = uniq('org');
  const cl = user(org, 'client');
  const target = user(org, 'staff', 'target');
  const other = user(org, 'staff', 'other');
  const away = user(org, 'staff', 'away');
  const silent = user(org, 'staff', 'silent');
  const wsT = await readyStaff(srv, target);
  const wsO = await readyStaff(srv, other);
  await readyStaff(srv, away);
  await setStatus(srv, away, 'away');
  await connectUser(srv, silent); // connected, never available

  const c = await createCall(srv, cl, { staff_id: target.id });
  await wsT.waitFor(incoming(c.id), 3000, 'the chosen staff member is rung');
  await wsO.expectNone(incoming(c.id), 500, 'a ring for a call aimed at someone else');
  expectError(await action(srv, other, c.id, 'accept'), 403, 'forbidden');
  expectStatus(await action(srv, cl, c.id, 'cancel'), 200);

  for (const id of [away.id, silent.id, 'nobody-by-that-name']) {
    const r = await srv.request('POST', '/v1/calls', { token: cl.token, body: { staff_id: id } });
    expectError(r, 409, 'no_staff_available', { retryable: true });
  }
  // Another org's staff member cannot be targeted either.
  const foreign = user(uniq('org'), 'staff', 'foreign');
  await readyStaff(srv, foreign);
  expectError(await srv.request('POST', '/v1/calls', { token: cl.token, body: { staff_id: foreign.id } }), 409, 'no_staff_available');
  const list = await srv.request('GET', '/v1/calls', { token: cl.token });
  assert.equal(list.body.calls.length, 1, 'refused creates wrote nothing');
}));

test('staff who become available while a call rings are rung too', L(async () => {
  const srv = await server(['--ring-timeout', '30s']);
  const org = uniq('org');
  const cl = user(org, 'client');
  const early = user(org, 'staff', 'early');
  const late = user(org, 'staff', 'late');
  const wasAway = user(org, 'staff', 'was-away');
  const wsE = await readyStaff(srv, early);
  const wsA = await readyStaff(srv, wasAway);
  await setStatus(srv, wasAway, 'away');
  const c = await createCall(srv, cl);
  await wsE.waitFor(incoming(c.id), 3000);
  await wsA.expectNone(incoming(c.id), 300, 'a ring while away');
  const wsL = await readyStaff(srv, late);
  const m = await wsL.waitFor(incoming(c.id), 3000, 'a ring for the late joiner');
  assert.equal(m.call.state, 'ringing');
  await setStatus(srv, wasAway, 'available');
  await wsA.waitFor(incoming(c.id), 3000, 'a ring once back from away');
  const r = await action(srv, late, c.id, 'accept');
  expectStatus(r, 200);
  assert.equal(r.body.staff.id, late.id);
  expectStatus(await action(srv, cl, c.id, 'end'), 200);
}));

test('one call at a time: accepting one call stops the others ringing for that staff member', L(async () => {
  const srv = await server(['--ring-timeout', '30s']);
  const org = uniq('org');
  const [cx, cy, cz] = [user(org, 'client', 'cx'), user(org, 'client', 'cy'), user(org, 'client', 'cz')];
  const s1 = user(org, 'staff', 's1');
  const s2 = user(org, 'staff', 's2');
  const w1 = await readyStaff(srv, s1);
  const w2 = await readyStaff(srv, s2);
  const x = await createCall(srv, cx);
  const y = await createCall(srv, cy);
  for (const w of [w1, w2]) for (const c of [x, y]) await w.waitFor(incoming(c.id), 3000);
  expectStatus(await action(srv, s1, x.id, 'accept'), 200);
  const e1 = await entry(srv, s2, s1.id);
  assert.equal(e1.state, 'in_call');
  assert.equal(e1.call_id, x.id);
  // s1 is no longer rung for y: accepting it is refused and y keeps ringing for s2. The contract
  // does not name the code for "rung, but no longer"; 403 (no longer rung) or a 409 are accepted.
  const refused = await action(srv, s1, y.id, 'accept');
  assert.ok([403, 409].includes(refused.status), `s1 accepting a second call: ${refused.status} ${refused.text}`);
  expectError(refused, refused.status, refused.body?.error?.code);
  const yNow = await getCall(srv, cy, y.id);
  assert.equal(yNow.state, 'ringing');
  assert.equal(yNow.version, 1);
  // A new call while s1 is in a call rings s2 only.
  const z = await createCall(srv, cz);
  await w2.waitFor(incoming(z.id), 3000);
  await w1.expectNone(incoming(z.id), 500, 'a ring while in a call');
  const ry = await action(srv, s2, y.id, 'accept');
  expectStatus(ry, 200);
  // Now nobody can be rung, but both are only busy: v1.1 queues the call (docs/queue.md).
  const lone = user(org, 'client', 'lone');
  const queued = await srv.request('POST', '/v1/calls', { token: lone.token, body: {} });
  expectStatus(queued, 201);
  assert.equal(queued.body.state, 'queued');
  expectStatus(await action(srv, lone, queued.body.id, 'cancel'), 200);
  for (const [u, c] of [[cx, x], [cy, y]]) expectStatus(await action(srv, u, c.id, 'end'), 200);
  expectStatus(await action(srv, cz, z.id, 'cancel'), 200);
}));

test('--max-missed 2: two rings in a row that ran out set the staff member away', L(async () => {
  const srv = await server(['--ring-timeout', '1s', '--max-missed', '2']);
  const org = uniq('org');
  const cl = user(org, 'client');
  const s1 = user(org, 'staff', 'sleepy');
  const admin = user(org, 'admin', 'boss');
  const w1 = await readyStaff(srv, s1);
  const wAdmin = await connectUser(srv, admin);
  wAdmin.send({ type: 'subscribe', topic: 'board' });
  await wAdmin.waitFor((m) => m.type === 'board', 3000, 'the admin\'s board');
  for (let i = 0; i < 2; i++) {
    const c = await createCall(srv, cl);
    await w1.waitFor(incoming(c.id), 3000);
    const up = await w1.waitFor((m) => m.type === 'call.updated' && m.call?.id === c.id && m.call.state === 'missed', 4000,
      'the call to go missed');
    assert.equal(up.call.end_reason, 'timeout');
  }
  const ev = await wAdmin.waitFor((m) => m.type === 'board.updated' && m.staff.some((e) => e.id === s1.id && e.status === 'away'),
    4000, 'the admin\'s board showing the staff member away');
  assert.equal(ev.queue.length, 0);
  await w1.waitFor((m) => m.type === 'availability.updated' && m.staff?.id === s1.id && m.staff.status === 'away', 2000,
    'availability.updated away for the staff member');
  const e = await entry(srv, admin, s1.id);
  assert.equal(e.status, 'away');
  expectError(await srv.request('POST', '/v1/calls', { token: cl.token, body: {} }), 409, 'no_staff_available');
}));

test('--max-missed does not count cancelled calls or calls taken by someone else', L(async () => {
  const srv = await server(['--ring-timeout', '30s', '--max-missed', '2']);
  const org = uniq('org');
  const cl = user(org, 'client');
  const idle = user(org, 'staff', 'never-answers');
  const taker = user(org, 'staff', 'taker');
  const wi = await readyStaff(srv, idle);
  const wt = await readyStaff(srv, taker);
  for (let i = 0; i < 3; i++) {
    const c = await createCall(srv, cl);
    await wi.waitFor(incoming(c.id), 3000);
    await wt.waitFor(incoming(c.id), 3000);
    if (i % 2 === 0) {
      expectStatus(await action(srv, taker, c.id, 'accept'), 200);
      expectStatus(await action(srv, taker, c.id, 'end'), 200);
    } else {
      expectStatus(await action(srv, cl, c.id, 'cancel'), 200);
    }
  }
  assert.equal((await entry(srv, taker, idle.id)).status, 'available');
}));

test('--wrap-up 2s: after a call the staff member is in wrap_up and not rung, then idle again', L(async () => {
  const srv = await server(['--ring-timeout', '30s', '--wrap-up', '2s']);
  const org = uniq('org');
  const [c1, c2, c3] = [user(org, 'client', 'c1'), user(org, 'client', 'c2'), user(org, 'client', 'c3')];
  const s1 = user(org, 'staff', 'worker');
  const s2 = user(org, 'staff', 'backup');
  const w1 = await readyStaff(srv, s1);
  const w2 = await readyStaff(srv, s2);
  const a = await createCall(srv, c1);
  await w1.waitFor(incoming(a.id), 3000);
  expectStatus(await action(srv, s1, a.id, 'accept'), 200);
  expectStatus(await action(srv, c1, a.id, 'connected'), 200);
  expectStatus(await action(srv, c1, a.id, 'end'), 200);
  const endedAt = Date.now();
  const e = await entry(srv, s2, s1.id);
  assert.equal(e.state, 'wrap_up');
  assert.equal(e.status, 'available', 'wrap-up is the system\'s state, not the person\'s choice');

  const b = await createCall(srv, c2);
  await w2.waitFor(incoming(b.id), 3000);
  await w1.expectNone(incoming(b.id), 500, 'a ring during wrap-up');
  expectStatus(await action(srv, c2, b.id, 'cancel'), 200);

  await poll(async () => (await entry(srv, s2, s1.id)).state === 'idle', { timeoutMs: 5000, what: 'wrap-up to end' });
  const took = Date.now() - endedAt;
  assert.ok(took >= 1500, `wrap-up lasted about 2 s (took ${took} ms)`);
  const c = await createCall(srv, c3);
  await w1.waitFor(incoming(c.id), 3000, 'a ring after wrap-up');
  expectStatus(await action(srv, c3, c.id, 'cancel'), 200);
}));

test('longest-idle rings one staff member at a time and moves on after --ring-step', L(async () => {
  const srv = await server(['--routing', 'longest-idle', '--ring-step', '1s', '--ring-timeout', '30s', '--max-missed', '100']);
  const org = uniq('org');
  const cls = Array.from({ length: 3 }, (_, i) => user(org, 'client', `c${i}`));
  const st = [user(org, 'staff', 'first'), user(org, 'staff', 'second'), user(org, 'staff', 'third')];
  const ws = [];
  for (const s of st) {
    ws.push(await readyStaff(srv, s));
    await new Promise((r) => setTimeout(r, 20)); // distinct "became available" times
  }

  // Call 1: first, then second after ~1 s, then third after ~2 s.
  const c = await createCall(srv, cls[0]);
  const t0 = Date.now();
  await ws[0].waitFor(incoming(c.id), 2000, 'the longest idle is rung first');
  await ws[1].expectNone(incoming(c.id), 600, 'the second staff member rung before the step ended');
  await ws[2].expectNone(incoming(c.id), 10, 'the third staff member rung early');
  await ws[1].waitFor(incoming(c.id), 3000, 'the second staff member after one step');
  const t1 = Date.now() - t0;
  await ws[2].waitFor(incoming(c.id), 3000, 'the third staff member after two steps');
  const t2 = Date.now() - t0;
  assert.ok(t1 >= 700 && t1 <= 2500, `second rung after ${t1} ms (step 1 s)`);
  assert.ok(t2 >= 1700 && t2 <= 4000, `third rung after ${t2} ms (two steps)`);
  expectStatus(await action(srv, st[2], c.id, 'accept'), 200);
  expectStatus(await action(srv, cls[0], c.id, 'end'), 200);

  // Call 2: "first" is still the longest idle (third just ended a call): it is rung and accepts.
  const c2 = await createCall(srv, cls[1]);
  await ws[0].waitFor(incoming(c2.id), 2000);
  expectStatus(await action(srv, st[0], c2.id, 'accept'), 200);
  expectStatus(await action(srv, cls[1], c2.id, 'end'), 200);

  // Call 3: now "second" is the longest idle, then "third" (ended call 1), then "first" (ended call 2).
  const c3 = await createCall(srv, cls[2]);
  await ws[1].waitFor(incoming(c3.id), 2000, 'the now longest idle is rung first');
  await ws[0].expectNone(incoming(c3.id), 500, 'the most recently idle rung first');
  await ws[2].expectNone(incoming(c3.id), 10, 'the third staff member rung too early');
  await ws[2].waitFor(incoming(c3.id), 3000, 'the next staff member after one step');
  await ws[0].expectNone(incoming(c3.id), 500, 'the most recently idle rung before the last step');
  await ws[0].waitFor(incoming(c3.id), 3000, 'the most recently idle last');
  expectStatus(await action(srv, cls[2], c3.id, 'cancel'), 200);
}));
