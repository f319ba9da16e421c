// Issue 2: who may do what. Two orgs × client/staff/admin. Another org's id is always 404;
// the right org with the wrong role or not a participant is 403. Refusals write nothing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, user, readyStaff, connectUser, createCall, getCall, action, listAll,
  expectStatus, expectError, uniq, withLogs,
} from './lib/harness.mjs';

let srv;
const A = uniq('orgA');
const B = uniq('orgB');
const cA1 = user(A, 'client', 'alice');
const cA2 = user(A, 'client', 'arthur');
const sA1 = user(A, 'staff', 'sam');
const sA2 = user(A, 'staff', 'sue');
const adA = user(A, 'admin', 'ada');
const cB = user(B, 'client', 'bob');
const sB = user(B, 'staff', 'sam'); // same user id as sA1, other org
const adB = user(B, 'admin', 'bea');
let wsA1, wsA2, wsB;

before(async () => {
  srv = await startServer(['--ring-timeout', '60s']);
  wsA1 = await readyStaff(srv, sA1);
  wsA2 = await readyStaff(srv, sA2);
  wsB = await readyStaff(srv, sB);
});

after(async () => {
  await srv?.stop();
});

const L = (fn) => withLogs(() => srv, fn);

const ROUTES = [
  ['GET', ''],
  ['POST', '/accept', {}],
  ['POST', '/decline', {}],
  ['POST', '/cancel', {}],
  ['POST', '/connected', {}],
  ['POST', '/end', {}],
  ['POST', '/quality', {
    at: new Date().toISOString(), rtt_ms: 20, jitter_ms: 3, packet_loss_pct: 0,
    bitrate_kbps: { audio_in: 30, audio_out: 30, video_in: 500, video_out: 500 },
    candidate_type: 'host', ice_state: 'connected',
  }],
  ['POST', '/feedback', { score: 5 }],
];

function callRoute(method, suffix, id, u, body) {
  return srv.request(method, `/v1/calls/${encodeURIComponent(id)}${suffix}`, { token: u.token, body: method === 'POST' ? body : undefined });
}

test('another org never sees or changes a call: 404 not_found on every call route', L(async () => {
  // A ringing call that rings only sA1, and an accepted one.
  const ringing = await createCall(srv, cA1, { staff_id: sA1.id });
  await wsA1.waitType('call.incoming', (m) => m.call?.id === ringing.id);
  const acceptedCall = await createCall(srv, cA2, { staff_id: sA2.id });
  await wsA2.waitType('call.incoming', (m) => m.call?.id === acceptedCall.id);
  expectStatus(await action(srv, sA2, acceptedCall.id, 'accept'), 200);
  const before1 = await getCall(srv, cA1, ringing.id);
  const before2 = await getCall(srv, cA2, acceptedCall.id);

  for (const c of [ringing, acceptedCall]) {
    for (const u of [cB, sB, adB]) {
      for (const [method, suffix, body] of ROUTES) {
        const r = await callRoute(method, suffix, c.id, u, body);
        expectError(r, 404, 'not_found');
      }
    }
  }
  assert.deepEqual(await getCall(srv, cA1, ringing.id), before1, 'nothing changed');
  assert.deepEqual(await getCall(srv, cA2, acceptedCall.id), before2, 'nothing changed');
  // A well-formed id that exists nowhere is also 404 for the right org.
  expectError(await callRoute('GET', '', 'no-such-call-123', cA1), 404, 'not_found');

  // And B lists none of A's calls.
  for (const u of [cB, sB, adB]) {
    const list = await listAll(srv, u, '?limit=100');
    assert.ok(!list.calls.some((c) => c.org_id === A), `${u.role} of B sees a call of A`);
  }
  // B's staff member "sam" (same user id as A's sam) was never rung for A's calls.
  await wsB.expectNone((m) => m.call && m.call.org_id === A, 300, "an event of org A");
  assert.ok(!wsB.seen((m) => JSON.stringify(m).includes(ringing.id)).length, 'B heard of A\'s call');
  // Clean up.
  expectStatus(await action(srv, cA1, ringing.id, 'cancel'), 200);
  expectStatus(await action(srv, cA2, acceptedCall.id, 'end'), 200);
}));

test('same org, wrong role or not a participant: 403 forbidden, nothing written', L(async () => {
  const c = await createCall(srv, cA1, { staff_id: sA1.id });
  await wsA1.waitType('call.incoming', (m) => m.call?.id === c.id);
  const snapshot = await getCall(srv, cA1, c.id);

  // Another client of the same org cannot read, cancel, accept or end it.
  expectError(await callRoute('GET', '', c.id, cA2), 403, 'forbidden');
  expectError(await action(srv, cA2, c.id, 'cancel'), 403, 'forbidden');
  expectError(await action(srv, cA2, c.id, 'accept'), 403, 'forbidden');
  // Clients cannot accept or decline, not even their own call.
  expectError(await action(srv, cA1, c.id, 'accept'), 403, 'forbidden');
  expectError(await action(srv, cA1, c.id, 'decline'), 403, 'forbidden');
  // A staff member who was not rung cannot accept or decline.
  expectError(await action(srv, sA2, c.id, 'accept'), 403, 'forbidden');
  expectError(await action(srv, sA2, c.id, 'decline'), 403, 'forbidden');
  // An admin who was not rung cannot accept either.
  expectError(await action(srv, adA, c.id, 'accept'), 403, 'forbidden');
  // Staff cannot cancel the caller's call (not even the rung one).
  expectError(await action(srv, sA1, c.id, 'cancel'), 403, 'forbidden');
  expectError(await action(srv, sA2, c.id, 'cancel'), 403, 'forbidden');
  assert.deepEqual(await getCall(srv, cA1, c.id), snapshot, 'refusals wrote nothing');

  // Org staff and admins may read it.
  assert.equal((await getCall(srv, sA2, c.id)).id, c.id);
  assert.equal((await getCall(srv, adA, c.id)).id, c.id);

  // Once accepted, only the two participants act on it.
  expectStatus(await action(srv, sA1, c.id, 'accept'), 200);
  const accepted = await getCall(srv, cA1, c.id);
  for (const u of [sA2, adA, cA2]) {
    for (const verb of ['connected', 'end']) {
      expectError(await action(srv, u, c.id, verb), 403, 'forbidden');
    }
  }
  expectError(await action(srv, cA2, c.id, 'quality', ROUTES[6][2]), 403, 'forbidden');
  assert.deepEqual(await getCall(srv, cA1, c.id), accepted, 'refusals wrote nothing');
  const end = await action(srv, cA1, c.id, 'end');
  expectStatus(end, 200);
  // Feedback after the end: participants only.
  expectError(await action(srv, cA2, c.id, 'feedback', { score: 4 }), 403, 'forbidden');
  expectError(await action(srv, sA2, c.id, 'feedback', { score: 4 }), 403, 'forbidden');
  expectStatus(await action(srv, cA1, c.id, 'feedback', { score: 4, issues: ['audio'] }), 200);
}));

test('staff and admins cannot create calls; clients cannot set availability', L(async () => {
  const before = await listAll(srv, adA, '?limit=100');
  for (const u of [sA1, adA]) {
    expectError(await srv.request('POST', '/v1/calls', { token: u.token, body: {} }), 403, 'forbidden');
  }
  expectError(await srv.request('PUT', '/v1/staff/me/availability', { token: cA1.token, body: { status: 'available' } }),
    403, 'forbidden');
  assert.deepEqual(await listAll(srv, adA, '?limit=100'), before, 'no call was written');
}));

test('the caller cancels; rung staff cannot', L(async () => {
  const c = await createCall(srv, cA1, { staff_id: sA1.id });
  await wsA1.waitType('call.incoming', (m) => m.call?.id === c.id);
  expectError(await action(srv, sA1, c.id, 'cancel'), 403, 'forbidden');
  const r = await action(srv, cA1, c.id, 'cancel');
  expectStatus(r, 200);
  assert.equal(r.body.state, 'cancelled');
}));

test('staff availability: staff and admins of the org list it, clients get 403', L(async () => {
  for (const u of [sA1, adA]) {
    const r = await srv.request('GET', '/v1/staff/availability', { token: u.token });
    expectStatus(r, 200);
    const ids = r.body.staff.map((s) => s.id).sort();
    assert.ok(ids.includes(sA1.id) && ids.includes(sA2.id), `A's staff listed: ${ids}`);
    for (const s of r.body.staff) {
      for (const k of ['id', 'name', 'status', 'state', 'connected', 'since', 'call_id']) {
        assert.ok(k in s, `availability entry has no ${k}: ${JSON.stringify(s)}`);
      }
    }
    const mine = r.body.staff.find((s) => s.id === sA1.id);
    assert.equal(mine.status, 'available');
    assert.equal(mine.connected, true);
  }
  // B's staff list holds B's sam (same id, other org) but none of A's people.
  const rb = await srv.request('GET', '/v1/staff/availability', { token: adB.token });
  expectStatus(rb, 200);
  assert.deepEqual(rb.body.staff.map((s) => s.id), [sB.id]);
  for (const u of [cA1, cB]) {
    expectError(await srv.request('GET', '/v1/staff/availability', { token: u.token }), 403, 'forbidden');
  }
}));

test('clients list only their own calls; staff and admins see the whole org', L(async () => {
  const c1 = await createCall(srv, cA1, { staff_id: sA1.id });
  const c2 = await createCall(srv, cA2, { staff_id: sA1.id });
  const cb = await createCall(srv, cB);
  const mine1 = await listAll(srv, cA1, '?limit=100');
  assert.ok(mine1.calls.every((c) => c.caller.id === cA1.id), 'client 1 sees only own calls');
  assert.ok(mine1.calls.some((c) => c.id === c1.id));
  const mine2 = await listAll(srv, cA2, '?limit=100');
  assert.ok(mine2.calls.every((c) => c.caller.id === cA2.id), 'client 2 sees only own calls');
  for (const u of [sA2, adA]) {
    const org = await listAll(srv, u, '?limit=100');
    const ids = org.calls.map((c) => c.id);
    assert.ok(ids.includes(c1.id) && ids.includes(c2.id), `${u.role} sees the org's calls`);
    assert.ok(!ids.includes(cb.id), `${u.role} of A sees a call of B`);
    assert.ok(org.calls.every((c) => c.org_id === A));
  }
  const bList = await listAll(srv, sB, '?limit=100');
  assert.deepEqual(bList.calls.map((c) => c.id), [cb.id]);
  for (const [u, c] of [[cA1, c1], [cA2, c2], [cB, cb]]) expectStatus(await action(srv, u, c.id, 'cancel'), 200);
}));

test('a WebSocket hello tells each user only their own org and calls', L(async () => {
  const c = await createCall(srv, cA1, { staff_id: sA1.id });
  const wB = await connectUser(srv, cB);
  assert.deepEqual(wB.welcome.calls, []);
  const wA = await connectUser(srv, cA1);
  assert.deepEqual(wA.welcome.calls.map((x) => x.id), [c.id]);
  const wA2 = await connectUser(srv, cA2);
  assert.deepEqual(wA2.welcome.calls, []);
  expectStatus(await action(srv, cA1, c.id, 'cancel'), 200);
  await Promise.all([wB.close(), wA.close(), wA2.close()]);
}));
