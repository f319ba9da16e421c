// Issue 2: the life of one call over REST and WebSocket, reading calls back, paging, request ids.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, user, readyStaff, connectUser, createCall, getCall, action, listAll,
  expectStatus, expectError, RFC3339_MS, uniq, withLogs,
} from './lib/harness.mjs';

const RING_TIMEOUT_MS = 30000;
let srv;
const org = uniq('org');
const caller = user(org, 'client', 'caller-1', 'Carla Caller');
const s1 = user(org, 'staff', 'staff-1', 'Ana');
const s2 = user(org, 'staff', 'staff-2', 'Bo');
let ws1, ws2, wsCaller;

before(async () => {
  srv = await startServer(['--ring-timeout', '30s']);
  ws1 = await readyStaff(srv, s1);
  ws2 = await readyStaff(srv, s2);
  wsCaller = await connectUser(srv, caller);
});

after(async () => {
  await srv?.stop();
});

const L = (fn) => withLogs(() => srv, fn);

function assertCallShape(c) {
  for (const k of ['id', 'org_id', 'state', 'version', 'caller', 'staff', 'media', 'metadata', 'created_at',
    'ring_deadline', 'accepted_at', 'active_at', 'ended_at', 'end_reason']) {
    assert.ok(k in c, `call has no "${k}": ${JSON.stringify(c)}`);
  }
  for (const k of ['created_at', 'ring_deadline', 'accepted_at', 'active_at', 'ended_at']) {
    if (c[k] !== null) assert.match(c[k], RFC3339_MS, `${k} is not RFC 3339 UTC with ms: ${c[k]}`);
  }
}

test('welcome names the user', L(async () => {
  assert.equal(wsCaller.welcome.type, 'welcome');
  assert.equal(typeof wsCaller.welcome.session, 'string');
  assert.deepEqual(
    { id: wsCaller.welcome.user.id, org: wsCaller.welcome.user.org, role: wsCaller.welcome.user.role },
    { id: caller.id, org, role: 'client' },
  );
  assert.equal(wsCaller.welcome.user.name, 'Carla Caller');
  assert.deepEqual(wsCaller.welcome.calls, []);
}));

test('a call goes ringing → accepted → active → ended with events to everyone concerned', L(async () => {
  const rid = `req-${uniq('x')}`;
  const created = await srv.request('POST', '/v1/calls', {
    token: caller.token,
    headers: { 'x-request-id': rid },
    body: { media: { audio: true, video: false }, metadata: { topic: 'billing' } },
  });
  expectStatus(created, 201);
  assert.equal(created.headers.get('x-request-id'), rid, 'X-Request-Id is echoed');
  const c = created.body;
  assertCallShape(c);
  assert.equal(c.state, 'ringing');
  assert.equal(c.version, 1);
  assert.equal(c.org_id, org);
  assert.deepEqual(c.caller, { id: caller.id, name: 'Carla Caller' });
  assert.equal(c.staff, null);
  assert.deepEqual(c.media, { audio: true, video: false });
  assert.deepEqual(c.metadata, { topic: 'billing' });
  assert.equal(Date.parse(c.ring_deadline) - Date.parse(c.created_at), RING_TIMEOUT_MS,
    'ring_deadline = created_at + ring timeout');
  assert.ok(Math.abs(Date.parse(c.created_at) - Date.now()) < 5000, 'created_at is now');
  for (const k of ['accepted_at', 'active_at', 'ended_at', 'end_reason']) assert.equal(c[k], null, k);

  // Both available staff are rung.
  const in1 = await ws1.waitType('call.incoming', (m) => m.call?.id === c.id);
  const in2 = await ws2.waitType('call.incoming', (m) => m.call?.id === c.id);
  assert.equal(in1.call.state, 'ringing');
  assert.equal(in2.call.caller.id, caller.id);

  // s1 accepts.
  const acc = await action(srv, s1, c.id, 'accept');
  expectStatus(acc, 200);
  assertCallShape(acc.body);
  assert.equal(acc.body.state, 'accepted');
  assert.equal(acc.body.version, 2);
  assert.equal(acc.body.staff?.id, s1.id);
  assert.equal(acc.body.staff?.name, 'Ana');
  assert.match(acc.body.accepted_at, RFC3339_MS);

  // Caller, winner and the other rung staff member hear about it; the loser learns who won.
  const upCaller = await wsCaller.waitType('call.updated', (m) => m.call?.id === c.id && m.call.state === 'accepted');
  assert.equal(upCaller.call.staff.id, s1.id);
  assert.equal(upCaller.call.version, 2);
  const up2 = await ws2.waitType('call.updated', (m) => m.call?.id === c.id && m.call.state === 'accepted');
  assert.equal(up2.call.staff.id, s1.id, 'the other rung staff member is told who answered');
  await ws1.waitType('call.updated', (m) => m.call?.id === c.id && m.call.state === 'accepted');

  // The winner repeating the accept gets 200 again; the loser gets 409.
  const again = await action(srv, s1, c.id, 'accept');
  expectStatus(again, 200);
  assert.equal(again.body.version, 2, 'a repeated accept is not a transition');
  expectError(await action(srv, s2, c.id, 'accept'), 409, 'call_already_taken');

  // Media connected → active; a second connected answers 200 without a new transition.
  const con = await action(srv, caller, c.id, 'connected');
  expectStatus(con, 200);
  assert.equal(con.body.state, 'active');
  assert.equal(con.body.version, 3);
  assert.match(con.body.active_at, RFC3339_MS);
  const con2 = await action(srv, s1, c.id, 'connected');
  expectStatus(con2, 200);
  assert.equal(con2.body.state, 'active');
  assert.equal(con2.body.version, 3);
  await wsCaller.waitType('call.updated', (m) => m.call?.id === c.id && m.call.state === 'active');

  // Hang up.
  const end = await action(srv, s1, c.id, 'end');
  expectStatus(end, 200);
  assert.equal(end.body.state, 'ended');
  assert.equal(end.body.end_reason, 'hangup');
  assert.equal(end.body.version, 4);
  assert.match(end.body.ended_at, RFC3339_MS);
  const t = (k) => Date.parse(end.body[k]);
  assert.ok(t('created_at') <= t('accepted_at') && t('accepted_at') <= t('active_at') && t('active_at') <= t('ended_at'),
    'timestamps are in order');
  const upEnd = await wsCaller.waitType('call.updated', (m) => m.call?.id === c.id && m.call.state === 'ended');
  assert.equal(upEnd.call.end_reason, 'hangup');
  await ws1.waitType('call.updated', (m) => m.call?.id === c.id && m.call.state === 'ended');

  // Read back by the caller and by org staff.
  const byCaller = await getCall(srv, caller, c.id);
  assert.deepEqual(byCaller, end.body);
  const byStaff = await getCall(srv, s2, c.id);
  assert.equal(byStaff.state, 'ended');
  assert.equal(byStaff.version, 4);
}));

test('an accepted call with ice_failed ends failed; a plain end is a hangup', L(async () => {
  const c = await createCall(srv, caller);
  await ws1.waitType('call.incoming', (m) => m.call?.id === c.id);
  expectStatus(await action(srv, s1, c.id, 'accept'), 200);
  const r = await action(srv, caller, c.id, 'end', { reason: 'ice_failed' });
  expectStatus(r, 200);
  assert.equal(r.body.state, 'failed');
  assert.equal(r.body.end_reason, 'ice_failed');
  assert.equal(r.body.version, 3);

  const c2 = await createCall(srv, caller);
  await ws2.waitType('call.incoming', (m) => m.call?.id === c2.id);
  expectStatus(await action(srv, s2, c2.id, 'accept'), 200);
  const r2 = await action(srv, caller, c2.id, 'end');
  expectStatus(r2, 200);
  assert.equal(r2.body.state, 'ended');
  assert.equal(r2.body.end_reason, 'hangup');
}));

test('the caller cancels a ringing call; rung staff are told', L(async () => {
  const c = await createCall(srv, caller);
  await ws1.waitType('call.incoming', (m) => m.call?.id === c.id);
  const r = await action(srv, caller, c.id, 'cancel');
  expectStatus(r, 200);
  assert.equal(r.body.state, 'cancelled');
  assert.equal(r.body.end_reason, 'caller_cancelled');
  assert.equal(r.body.version, 2);
  const up = await ws1.waitType('call.updated', (m) => m.call?.id === c.id && m.call.state === 'cancelled');
  assert.equal(up.call.end_reason, 'caller_cancelled');
  await ws2.waitType('call.updated', (m) => m.call?.id === c.id && m.call.state === 'cancelled');
}));

test('when every rung staff member declines the call is declined/all_declined', L(async () => {
  const c = await createCall(srv, caller);
  await ws1.waitType('call.incoming', (m) => m.call?.id === c.id);
  await ws2.waitType('call.incoming', (m) => m.call?.id === c.id);
  const d1 = await action(srv, s1, c.id, 'decline');
  expectStatus(d1, 200);
  assert.equal(d1.body.state, 'ringing', 'one decline is not a change of the call');
  assert.equal(d1.body.version, 1);
  const d2 = await action(srv, s2, c.id, 'decline');
  expectStatus(d2, 200);
  const after2 = await getCall(srv, caller, c.id);
  assert.equal(after2.state, 'declined');
  assert.equal(after2.end_reason, 'all_declined');
  assert.equal(after2.version, 2);
  await wsCaller.waitType('call.updated', (m) => m.call?.id === c.id && m.call.state === 'declined');
}));

test('GET /v1/calls pages newest first with the next cursor and filters by state', L(async () => {
  const org2 = uniq('org');
  const cl = user(org2, 'client');
  const other = user(org2, 'client');
  const st = user(org2, 'staff');
  const wsSt = await readyStaff(srv, st);
  const ids = [];
  for (let i = 0; i < 7; i++) {
    const c = await createCall(srv, cl, { metadata: { n: String(i) } });
    ids.push(c.id);
    if (i === 3) {
      await wsSt.waitType('call.incoming', (m) => m.call?.id === c.id);
      expectStatus(await action(srv, st, c.id, 'accept'), 200);
      expectStatus(await action(srv, cl, c.id, 'end'), 200);
    } else {
      expectStatus(await action(srv, cl, c.id, 'cancel'), 200);
    }
  }
  const otherCall = await createCall(srv, other);
  const newestFirst = [...ids].reverse();

  // Everything at once.
  const all = await listAll(srv, cl, '?limit=50');
  assert.deepEqual(Object.keys(all).sort(), ['calls', 'next']);
  assert.deepEqual(all.calls.map((c) => c.id), newestFirst, 'client sees exactly its own calls, newest first');
  assert.equal(all.next, null, 'no next page');
  for (const c of all.calls) {
    assert.match(c.created_at, RFC3339_MS);
  }

  // Pages of 3 following next.
  const seen = [];
  let q = '?limit=3';
  let pages = 0;
  for (;;) {
    const page = await listAll(srv, cl, q);
    pages++;
    assert.ok(page.calls.length <= 3, 'limit is respected');
    seen.push(...page.calls.map((c) => c.id));
    if (page.next === null) break;
    assert.equal(typeof page.next, 'string');
    assert.ok(pages < 10, 'paging terminates');
    q = `?limit=3&before=${encodeURIComponent(page.next)}`;
  }
  assert.deepEqual(seen, newestFirst, 'paging visits every call once, newest first');
  assert.ok(pages >= 3);

  // State filter.
  const cancelled = await listAll(srv, cl, '?state=cancelled');
  assert.deepEqual(cancelled.calls.map((c) => c.id), newestFirst.filter((id) => id !== ids[3]));
  assert.ok(cancelled.calls.every((c) => c.state === 'cancelled'));
  const ended = await listAll(srv, cl, '?state=ended');
  assert.deepEqual(ended.calls.map((c) => c.id), [ids[3]]);
  const ringing = await listAll(srv, cl, '?state=ringing');
  assert.deepEqual(ringing.calls, []);

  // Filter and paging together.
  const p1 = await listAll(srv, cl, '?state=cancelled&limit=2');
  assert.equal(p1.calls.length, 2);
  assert.notEqual(p1.next, null);
  const p2 = await listAll(srv, cl, `?state=cancelled&limit=2&before=${encodeURIComponent(p1.next)}`);
  assert.deepEqual([...p1.calls, ...p2.calls].map((c) => c.id), newestFirst.filter((id) => id !== ids[3]).slice(0, 4));

  // Staff of the org see the org's calls, including the other client's.
  const staffView = await listAll(srv, st, '?limit=50');
  assert.deepEqual(staffView.calls.map((c) => c.id), [otherCall.id, ...newestFirst]);
  const staffRinging = await listAll(srv, st, '?state=ringing');
  assert.deepEqual(staffRinging.calls.map((c) => c.id), [otherCall.id]);
  expectStatus(await action(srv, other, otherCall.id, 'cancel'), 200);
}));

test('every response carries X-Request-Id, echoed when sent', L(async () => {
  const probes = [
    ['GET', '/healthz', {}],
    ['GET', '/readyz', {}],
    ['GET', '/v1/calls', { token: caller.token }],
    ['GET', '/v1/calls', {}], // 401
    ['GET', '/v1/calls/no-such-call', { token: caller.token }], // 404
    ['POST', '/v1/calls', { token: s1.token, body: {} }], // 403
    ['POST', '/v1/calls', { token: caller.token, raw: '{' }], // 400
    ['GET', '/v1/ice-servers', { token: caller.token }],
    ['GET', '/metrics', {}],
  ];
  for (const [method, path, o] of probes) {
    const generated = await srv.request(method, path, o);
    const got = generated.headers.get('x-request-id');
    assert.ok(got && got.length > 0, `${method} ${path} (${generated.status}) has no X-Request-Id`);
    const rid = `probe-${uniq('r')}`;
    const echoed = await srv.request(method, path, { ...o, headers: { 'x-request-id': rid } });
    assert.equal(echoed.headers.get('x-request-id'), rid, `${method} ${path} (${echoed.status}) echoes X-Request-Id`);
  }
  // Two requests without one get different ids.
  const a = await srv.request('GET', '/healthz');
  const b = await srv.request('GET', '/healthz');
  assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
}));

test('timers: a ring nobody answers goes missed/timeout; media that never connects fails/connect_timeout', L(async () => {
  const fast = await startServer(['--ring-timeout', '1s', '--connect-timeout', '1s', '--max-missed', '100']);
  try {
    const o = uniq('org');
    const cl = user(o, 'client');
    const st = user(o, 'staff');
    const wst = await readyStaff(fast, st);
    const wcl = await connectUser(fast, cl);
    const c = await createCall(fast, cl);
    await wst.waitType('call.incoming', (m) => m.call?.id === c.id);
    const missed = await wcl.waitType('call.updated', (m) => m.call?.id === c.id && m.call.state === 'missed', 4000);
    assert.equal(missed.call.end_reason, 'timeout');
    assert.equal(missed.call.version, 2);
    const late = Date.parse(missed.call.ended_at) - Date.parse(missed.call.ring_deadline);
    assert.ok(late >= 0 && late < 1000, `missed ${late} ms after the ring deadline`);
    await wst.waitType('call.updated', (m) => m.call?.id === c.id && m.call.state === 'missed', 2000);

    const d = await createCall(fast, cl);
    await wst.waitType('call.incoming', (m) => m.call?.id === d.id);
    expectStatus(await action(fast, st, d.id, 'accept'), 200);
    const failed = await wcl.waitType('call.updated', (m) => m.call?.id === d.id && m.call.state === 'failed', 4000);
    assert.equal(failed.call.end_reason, 'connect_timeout');
    assert.equal(failed.call.version, 3);
    const after = Date.parse(failed.call.ended_at) - Date.parse(failed.call.accepted_at);
    assert.ok(after >= 950 && after < 2000, `failed ${after} ms after the accept (connect timeout 1 s)`);
    await wst.waitType('call.updated', (m) => m.call?.id === d.id && m.call.state === 'failed', 2000);
  } finally {
    await fast.stop();
  }
}));
