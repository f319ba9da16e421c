// Issue 3: the WebSocket. Hello and close codes, limits, ping, who hears which event, the
// signal relay and its refusals, several connections per user, welcome.calls, presence graces,
// ice_servers on accept and its renewal, server pings.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  startServer, user, readyStaff, connectUser, openWs, setStatus, createCall, getCall, action, availability,
  mintToken, poll, expectStatus, expectError, uniq, withLogs, Ws, delay,
} from './lib/harness.mjs';

let srv;
const extra = [];
const TURN_SECRET = 'ws-test-turn-secret';

before(async () => {
  srv = await startServer([
    '--ring-timeout', '30s', '--presence-grace', '1s', '--reconnect-grace', '1s',
    '--stun-urls', 'stun:127.0.0.1:3478', '--turn-urls', 'turn:127.0.0.1:3478?transport=udp',
    '--turn-secret', TURN_SECRET, '--turn-ttl', '1h',
  ]);
});

after(async () => {
  await srv?.stop();
  for (const s of extra) await s.stop();
});

const L = (fn) => withLogs(() => [srv, ...extra], fn);
const incoming = (id) => (m) => m.type === 'call.incoming' && m.call?.id === id;
const updated = (id, state) => (m) => m.type === 'call.updated' && m.call?.id === id && (!state || m.call.state === state);
const signalFor = (id) => (m) => m.type === 'signal' && m.call_id === id;

// An org with a client and two ready staff, the client connected.
async function org(label = 'org') {
  const o = uniq(label);
  const cl = user(o, 'client', 'caller');
  const s1 = user(o, 'staff', 'ana');
  const s2 = user(o, 'staff', 'bo');
  const w1 = await readyStaff(srv, s1);
  const w2 = await readyStaff(srv, s2);
  const wc = await connectUser(srv, cl);
  return { org: o, cl, s1, s2, w1, w2, wc };
}

// A connection of another org, opened before a bad input: the server still serves it after.
async function bystander() {
  return connectUser(srv, user(uniq('org'), 'client', 'bystander'));
}

async function acceptedCall(o) {
  const c = await createCall(srv, o.cl);
  await o.w1.waitFor(incoming(c.id), 3000);
  await o.w2.waitFor(incoming(c.id), 3000);
  expectStatus(await action(srv, o.s1, c.id, 'accept'), 200);
  await o.wc.waitFor(updated(c.id, 'accepted'), 3000);
  return c;
}

test('no hello within 5 s: close 4001', L(async () => {
  const by = await bystander();
  const w = await openWs(srv, { label: 'silent' });
  const t0 = Date.now();
  const { code } = await w.waitClose(9000);
  const took = Date.now() - t0;
  assert.equal(code, 4001);
  assert.ok(took >= 4000 && took <= 8000, `closed after ${took} ms (5 s expected)`);
  await by.ping();
  await by.close();
}));

test('a bad, expired, unsigned or foreign-signed token in hello: close 4001', L(async () => {
  const now = Math.floor(Date.now() / 1000);
  const base = { sub: 'ws-user', org: 'o', role: 'client' };
  const tokens = [
    ['garbage', 'not-a-token'],
    ['expired', mintToken({ ...base, exp: now - 120, iat: now - 3600 })],
    ['alg none', mintToken(base, { alg: 'none' })],
    ['other secret', mintToken(base, { secret: 'some-other-secret-some-other-secret-42' })],
    ['missing exp', mintToken({ ...base, exp: null })],
    ['no token', undefined],
  ];
  const by = await bystander();
  for (const [label, token] of tokens) {
    const w = await openWs(srv, { label });
    w.send(token === undefined ? { type: 'hello' } : { type: 'hello', token });
    const { code } = await w.waitClose(5000);
    assert.equal(code, 4001, `${label}: close code`);
    assert.ok(!w.seen((m) => m.type === 'welcome').length, `${label}: no welcome`);
    await by.ping();
  }
  // Anything but hello first is refused too.
  const w = await openWs(srv, { label: 'ping-first' });
  w.send({ type: 'ping' });
  assert.equal((await w.waitClose(5000)).code, 4001);
  await by.ping();
  await by.close();
}));

test('ping gives pong; an unknown type gets an error with ref and the connection stays open', L(async () => {
  const by = await bystander();
  const u = user(uniq('org'), 'client');
  const w = await connectUser(srv, u);
  await w.ping();
  w.send({ type: 'dance', seq: 7 });
  const e = await w.waitType('error', (m) => m.ref === 7, 3000);
  assert.equal(e.code, 'invalid_request');
  assert.equal(typeof e.message, 'string');
  await w.ping();
  assert.equal(w.closed, null);
  await by.ping();
  await w.close();
  await by.close();
}));

test('malformed JSON: close 4400', L(async () => {
  const by = await bystander();
  const u = user(uniq('org'), 'client');
  const w = await connectUser(srv, u);
  w.send('{"type": "ping"');
  assert.equal((await w.waitClose(3000)).code, 4400);
  await by.ping();
  const w2 = await openWs(srv, { label: 'malformed-before-hello' });
  w2.send('not json at all');
  assert.ok([4400, 4001].includes((await w2.waitClose(3000)).code));
  await by.ping();
  await by.close();
}));

test('a frame over 64 KiB: close 1009; a big frame under the limit is fine', L(async () => {
  const u = user(uniq('org'), 'client');
  const w = await connectUser(srv, u);
  w.send({ type: 'ping', pad: 'p'.repeat(60 * 1024) });
  await w.waitType('pong', () => true, 3000);
  const by = await bystander();
  w.send({ type: 'ping', pad: 'p'.repeat(65 * 1024) });
  assert.equal((await w.waitClose(3000)).code, 1009);
  await by.ping();
  await by.close();
}));

test('a flood gets rate_limited then close 4008, while another connection keeps working', L(async () => {
  const o = uniq('org');
  const a = await connectUser(srv, user(o, 'client', 'flooder'));
  const b = await connectUser(srv, user(o, 'client', 'neighbour'));
  for (let i = 1; i <= 400; i++) a.send({ type: 'ping', seq: i });
  const e = await a.waitType('error', (m) => m.code === 'rate_limited', 5000);
  assert.equal(typeof e.message, 'string');
  const pongs = a.seen((m) => m.type === 'pong').length;
  assert.ok(pongs >= 50, `the burst was served (${pongs} pongs)`);
  assert.ok(pongs < 400, 'not every message of the flood was served');
  assert.equal((await a.waitClose(5000)).code, 4008);
  await b.ping();
  await b.ping();
}));

// Sends `perSecond` pings a second for `ms`, a batch every 10 ms, until done or closed.
// Returns how many were sent.
async function sendSteadily(w, perSecond, ms) {
  const t0 = Date.now();
  let sent = 0;
  while (!w.closed && Date.now() - t0 < ms) {
    const due = Math.ceil(((Date.now() - t0) / 1000) * perSecond);
    for (; sent < due; sent++) w.send({ type: 'ping', seq: sent + 1 });
    await delay(10);
  }
  return sent;
}

for (const perSecond of [1000, 200]) {
  test(`a steady flood of ${perSecond}/s is closed 4008 although a message gets through now and then`, L(async () => {
    // Against 50/s, past the burst one message in twenty (or in four) is served, and that must
    // not wipe the refusals out. At 200/s the refusals between two served messages stay far
    // under the 20 allowed, so a count that restarts on each served message never closes it.
    const o = uniq('org');
    const a = await connectUser(srv, user(o, 'client', 'steady-flooder'));
    const b = await connectUser(srv, user(o, 'client', 'neighbour'));
    const sent = await sendSteadily(a, perSecond, 3000);
    assert.equal((await a.waitClose(2000)).code, 4008, `closed after ${sent} messages`);
    assert.ok(a.seen((m) => m.type === 'error' && m.code === 'rate_limited').length >= 1, 'rate_limited errors first');
    assert.ok(sent < perSecond * 3, `closed while flooding (after ${sent} of ${perSecond * 3} messages)`);
    await b.ping();
  }));
}

test('a sender just under the rate is never refused nor closed', L(async () => {
  const w = await connectUser(srv, user(uniq('org'), 'client', 'steady'));
  const sent = await sendSteadily(w, 40, 3000);
  await poll(() => w.seen((m) => m.type === 'pong').length === sent, { timeoutMs: 3000, what: `${sent} pongs` });
  assert.deepEqual(w.seen((m) => m.type === 'error'), [], 'no error');
  assert.equal(w.closed, null);
  await w.close();
}));

test('events reach exactly who should get them; another org hears nothing', L(async () => {
  const A = await org('orgA');
  const bOrg = uniq('orgB');
  const sB = user(bOrg, 'staff', 'ana'); // same user id as A's staff member
  const aB = user(bOrg, 'admin', 'boss');
  const cB = user(bOrg, 'client', 'caller');
  const wsB = [await readyStaff(srv, sB), await connectUser(srv, aB), await connectUser(srv, cB)];
  const adminA = user(A.org, 'admin', 'chief');
  const wAdminA = await connectUser(srv, adminA);
  const wOtherClientA = await connectUser(srv, user(A.org, 'client', 'other-caller'));
  const awayA = user(A.org, 'staff', 'dee');
  const wAwayA = await readyStaff(srv, awayA);
  await setStatus(srv, awayA, 'away');

  const c = await createCall(srv, A.cl);
  await A.w1.waitFor(incoming(c.id), 3000);
  await A.w2.waitFor(incoming(c.id), 3000);
  expectStatus(await action(srv, A.s1, c.id, 'accept'), 200);
  for (const w of [A.wc, A.w1, A.w2]) await w.waitFor(updated(c.id, 'accepted'), 3000);
  // A third staff member of A comes online: the boards of A's staff and admins show it
  // (docs/asyncapi.yaml), A's client sees no board, and availability.updated goes to s3's own
  // connection only.
  for (const w of [A.w1, A.w2, wAdminA]) {
    w.send({ type: 'subscribe', topic: 'board' });
    await w.waitFor((m) => m.type === 'board' && m.seq === 1, 3000, 'the board snapshot');
  }
  const s3 = user(A.org, 'staff', 'cy');
  const w3 = await readyStaff(srv, s3);
  const onBoard = (m) => m.type === 'board.updated' && m.staff.some((e) => e.id === s3.id && e.status === 'available');
  for (const w of [A.w1, A.w2, wAdminA]) await w.waitFor(onBoard, 3000, 'board.updated with s3 available');
  await w3.waitFor((m) => m.type === 'availability.updated' && m.staff?.id === s3.id, 3000, 'own availability.updated');
  const othersAvail = (m) => m.type === 'availability.updated' && m.staff?.id === s3.id;
  for (const w of [A.w1, A.w2, wAdminA]) await w.expectNone(othersAvail, 10, 'another staff member\'s availability.updated');
  expectStatus(await action(srv, A.cl, c.id, 'end'), 200);
  for (const w of [A.wc, A.w1, A.w2]) await w.waitFor(updated(c.id, 'ended'), 3000);

  const leak = (m) => JSON.stringify(m).includes(c.id) || (m.type === 'availability.updated' && m.staff?.id === s3.id);
  for (const w of wsB) await w.expectNone(leak, 300, 'an event of another org');
  await wOtherClientA.expectNone(leak, 10, 'an event of another client\'s call');
  await A.wc.expectNone((m) => m.type === 'availability.updated', 10, 'availability.updated to a client');
  assert.ok(!wsB[0].seen((m) => m.type === 'call.incoming').length, 'B\'s staff was never rung');
  // A staff member of A who was away was never rung and hears nothing about the call.
  await wAwayA.expectNone((m) => m.type?.startsWith('call.') && m.call?.id === c.id, 10, 'a call event for a staff member not rung');
  // s3 became available after the call was accepted: never rung for it.
  await w3.expectNone(incoming(c.id), 10, 'a ring for an accepted call');
  // The admin of A was not rung (not available) and gets no call events for it.
  await wAdminA.expectNone(incoming(c.id), 10, 'a ring for an admin who is not available');
}));

test('signal relay between the two participants, with from and the sender\'s seq', L(async () => {
  const A = await org();
  const c = await acceptedCall(A);
  // An SDP the size of a real one: the server reads a message's first 512 bytes, then the rest
  // in pieces (ws_session.cpp), and the peer must get it whole.
  const lines = Array.from({ length: 120 }, (_, i) => `a=candidate:${i} 1 udp ${2130706431 - i} 10.0.${i % 250}.${i} ${50000 + i} typ host\r\n`);
  const offer = { sdp: `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n${lines.join('')}`, type: 'offer', nested: { a: [1, 2, 3] } };
  assert.ok(offer.sdp.length > 6000);
  A.w1.send({ type: 'signal', call_id: c.id, kind: 'offer', data: offer, seq: 1 });
  const got = await A.wc.waitFor(signalFor(c.id), 3000, 'the offer');
  assert.deepEqual(
    { type: got.type, call_id: got.call_id, from: got.from, kind: got.kind, data: got.data, seq: got.seq },
    { type: 'signal', call_id: c.id, from: A.s1.id, kind: 'offer', data: offer, seq: 1 },
  );
  A.wc.send({ type: 'signal', call_id: c.id, kind: 'answer', data: { sdp: 'answer-sdp', type: 'answer' }, seq: 1 });
  const ans = await A.w1.waitFor(signalFor(c.id), 3000, 'the answer');
  assert.equal(ans.from, A.cl.id);
  assert.equal(ans.kind, 'answer');
  assert.equal(ans.seq, 1);
  assert.deepEqual(ans.data, { sdp: 'answer-sdp', type: 'answer' });
  A.w1.send({ type: 'signal', call_id: c.id, kind: 'candidate', data: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host' }, seq: 2 });
  const cand = await A.wc.waitFor(signalFor(c.id), 3000, 'a candidate');
  assert.equal(cand.kind, 'candidate');
  assert.equal(cand.seq, 2);
  A.w1.send({ type: 'signal', call_id: c.id, kind: 'candidate', data: { candidate: '' }, seq: 3 });
  const end = await A.wc.waitFor((m) => signalFor(c.id)(m) && m.seq === 3, 3000, 'the end of candidates');
  assert.deepEqual(end.data, { candidate: '' });
  // Active calls relay too, including an ICE restart.
  expectStatus(await action(srv, A.cl, c.id, 'connected'), 200);
  A.wc.send({ type: 'signal', call_id: c.id, kind: 'restart', data: { sdp: 'restart-offer' }, seq: 2 });
  const rs = await A.w1.waitFor(signalFor(c.id), 3000, 'a restart');
  assert.equal(rs.kind, 'restart');
  assert.equal(rs.from, A.cl.id);
  // The other rung staff member heard none of it, and nobody heard their own signals back.
  await A.w2.expectNone(signalFor(c.id), 200, 'a signal to a non-participant');
  await A.w1.expectNone(signalFor(c.id), 10, 'an echoed signal');
  await A.wc.expectNone(signalFor(c.id), 10, 'an echoed signal');
  expectStatus(await action(srv, A.cl, c.id, 'end'), 200);
}));

test('relay refused with an error and nothing delivered: non-participant, other org, ringing, ended, bad kind', L(async () => {
  const A = await org();
  const c = await acceptedCall(A);
  const foreign = await readyStaff(srv, user(uniq('org'), 'staff', 'ana'));
  const notTheCaller = await connectUser(srv, user(A.org, 'client', 'not-the-caller'));
  const refusals = [
    ['a non-participant staff member', A.w2, { call_id: c.id, kind: 'offer', data: {} }, 'forbidden'],
    ['a client of the org who is not the caller', notTheCaller, { call_id: c.id, kind: 'offer', data: {} }, 'forbidden'],
    ['another org', foreign, { call_id: c.id, kind: 'offer', data: {} }, 'not_found'],
    ['a bad kind', A.w1, { call_id: c.id, kind: 'gossip', data: {} }, 'invalid_request'],
    ['no call_id', A.w1, { kind: 'offer', data: {} }, 'invalid_request'],
    // The end of candidates is {"candidate": ""} (asyncapi SignalData); a null data is refused.
    ['a candidate with null data', A.w1, { call_id: c.id, kind: 'candidate', data: null }, 'invalid_request'],
    ['a candidate with string data', A.w1, { call_id: c.id, kind: 'candidate', data: 'end' }, 'invalid_request'],
    ['an unknown call', A.w1, { call_id: 'no-such-call', kind: 'offer', data: {} }, 'not_found'],
  ];
  let seq = 100;
  for (const [label, w, msg, code] of refusals) {
    const s = ++seq;
    w.send({ type: 'signal', ...msg, seq: s });
    const e = await w.waitType('error', (m) => m.ref === s, 3000).catch((err) => {
      throw new Error(`${label}: ${err.message}`);
    });
    assert.equal(e.code, code, label);
    assert.equal(w.closed, null, `${label}: the connection stays open`);
  }
  for (const w of [A.wc, A.w1, A.w2, notTheCaller]) await w.expectNone((m) => m.type === 'signal', 300, 'a refused signal delivered');

  // A ringing call: the caller cannot signal yet, and a rung staff member is no participant yet.
  const B = await org();
  const r = await createCall(srv, B.cl);
  await B.w1.waitFor(incoming(r.id), 3000);
  B.wc.send({ type: 'signal', call_id: r.id, kind: 'offer', data: {}, seq: 1 });
  const early = await B.wc.waitType('error', (m) => m.ref === 1, 3000);
  assert.equal(early.code, 'invalid_transition');
  assert.equal(early.details?.state, 'ringing');
  B.w1.send({ type: 'signal', call_id: r.id, kind: 'offer', data: {}, seq: 1 });
  assert.equal((await B.w1.waitType('error', (m) => m.ref === 1, 3000)).code, 'forbidden');
  for (const w of [B.wc, B.w1, B.w2]) await w.expectNone((m) => m.type === 'signal', 300, 'a signal on a ringing call');
  expectStatus(await action(srv, B.cl, r.id, 'cancel'), 200);

  // An ended call.
  expectStatus(await action(srv, A.cl, c.id, 'end'), 200);
  await A.w1.waitFor(updated(c.id, 'ended'), 3000);
  A.w1.send({ type: 'signal', call_id: c.id, kind: 'offer', data: {}, seq: 200 });
  const late = await A.w1.waitType('error', (m) => m.ref === 200, 3000);
  assert.equal(late.code, 'invalid_transition');
  assert.equal(late.details?.state, 'ended');
  await A.wc.expectNone((m) => m.type === 'signal', 300, 'a signal on an ended call');
}));

test('every connection of a user receives the events', L(async () => {
  const A = await org();
  const w1b = await connectUser(srv, A.s1, { label: 'ana-second-tab' });
  const wcb = await connectUser(srv, A.cl, { label: 'caller-second-tab' });
  const c = await createCall(srv, A.cl);
  await A.w1.waitFor(incoming(c.id), 3000);
  await w1b.waitFor(incoming(c.id), 3000);
  expectStatus(await action(srv, A.s1, c.id, 'accept'), 200);
  await A.wc.waitFor(updated(c.id, 'accepted'), 3000);
  await wcb.waitFor(updated(c.id, 'accepted'), 3000);
  await w1b.waitFor(updated(c.id, 'accepted'), 3000);
  // Signals reach every connection of the other participant.
  A.w1.send({ type: 'signal', call_id: c.id, kind: 'offer', data: { x: 1 }, seq: 1 });
  await A.wc.waitFor(signalFor(c.id), 3000);
  await wcb.waitFor(signalFor(c.id), 3000);
  expectStatus(await action(srv, A.cl, c.id, 'end'), 200);
  await wcb.close();
  await w1b.close();
}));

test('welcome.calls lists the user\'s non-terminal calls after a reconnect', L(async () => {
  const A = await org();
  const c = await createCall(srv, A.cl);
  const again = await connectUser(srv, A.cl, { label: 'caller-reconnected' });
  assert.deepEqual(again.welcome.calls.map((x) => [x.id, x.state]), [[c.id, 'ringing']]);
  await A.w1.waitFor(incoming(c.id), 3000);
  expectStatus(await action(srv, A.s1, c.id, 'accept'), 200);
  const staffAgain = await connectUser(srv, A.s1, { label: 'staff-reconnected' });
  assert.deepEqual(staffAgain.welcome.calls.map((x) => [x.id, x.state, x.staff?.id]), [[c.id, 'accepted', A.s1.id]]);
  const other = await connectUser(srv, A.s2, { label: 'other-staff-reconnected' });
  assert.ok(!other.welcome.calls.some((x) => x.id === c.id && x.state !== 'ringing'), 'not a call of the other staff member');
  expectStatus(await action(srv, A.cl, c.id, 'end'), 200);
  const after = await connectUser(srv, A.cl, { label: 'caller-after-end' });
  assert.deepEqual(after.welcome.calls, [], 'terminal calls are not listed');
  for (const w of [again, staffAgain, other, after]) await w.close();
}));

test('presence: a staff member whose socket closed turns offline after the grace and is not rung', L(async () => {
  const A = await org();
  const gone = user(A.org, 'staff', 'gone');
  A.w1.send({ type: 'subscribe', topic: 'board' });
  await A.w1.waitFor((m) => m.type === 'board', 3000, 'the board');
  const wg = await readyStaff(srv, gone);
  const row = (m, status) => m.type === 'board.updated' && m.staff.some((e) => e.id === gone.id && e.status === status);
  await A.w1.waitFor((m) => row(m, 'available'), 3000, 'the board showing the staff member available');
  A.w1.skipAll();
  const t0 = Date.now();
  await wg.close();
  await A.w1.waitFor((m) => row(m, 'offline'), 4000, 'the board showing the staff member offline');
  assert.ok(Date.now() - t0 >= 800, `offline after ${Date.now() - t0} ms: the 1 s presence grace was respected`);
  const e = (await availability(srv, A.s1)).find((s) => s.id === gone.id);
  assert.equal(e.status, 'offline');
  assert.equal(e.connected, false);
  const c = await createCall(srv, A.cl);
  await A.w1.waitFor(incoming(c.id), 3000);
  expectError(await action(srv, gone, c.id, 'accept'), 403, 'forbidden');
  expectStatus(await action(srv, A.cl, c.id, 'cancel'), 200);
}));

// The participant row's outcome, read from the server's SQLite file (scripts/install-deps.sh
// installs the sqlite3 tool for the tests).
function ringOutcome(server, callId, staffId) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 3000', join(server.dir, 'sb.db'),
    `SELECT outcome FROM call_participants WHERE call_id = '${callId}' AND staff_id = '${staffId}'`]).toString().trim();
}

test('a rung staff member gone longer than the presence grace: ring withdrawn, not a missed ring', L(async () => {
  const s = await startServer(['--presence-grace', '1s', '--ring-timeout', '4s', '--max-missed', '1']);
  extra.push(s);
  const o = uniq('org');
  const ana = user(o, 'staff', 'ana');
  const bo = user(o, 'staff', 'bo');
  const cl = user(o, 'client', 'caller');
  const wa = await readyStaff(s, ana);
  const wb = await readyStaff(s, bo);
  const wc = await connectUser(s, cl);
  const c = await createCall(s, cl);
  await wa.waitFor(incoming(c.id), 3000);
  await wb.waitFor(incoming(c.id), 3000);
  wb.send({ type: 'subscribe', topic: 'board' });
  await wb.waitFor((m) => m.type === 'board', 3000, 'bo\'s board');
  wb.skipAll();
  await wa.terminate();
  const offline = await wb.waitFor((m) => m.type === 'board.updated' && m.staff.some((e) => e.id === ana.id && e.status === 'offline'),
    4000, 'ana offline on the board');
  assert.equal(offline.staff.find((e) => e.id === ana.id).state, 'idle', 'no longer ringing once offline');
  assert.equal(ringOutcome(s, c.id, ana.id), 'withdrawn');
  // The call rings on for bo and runs out on him alone.
  const missed = await wc.waitFor(updated(c.id, 'missed'), 6000, 'the call to be missed');
  assert.equal(missed.call.end_reason, 'timeout');
  await wb.waitFor((m) => m.type === 'availability.updated' && m.staff?.id === bo.id && m.staff.status === 'away',
    3000, 'bo away after one missed ring (--max-missed 1)');
  // Ana comes back: her missed rings in a row were not counted, so she is still available.
  const back = await connectUser(s, ana, { label: 'ana-back' });
  const staff = await availability(s, ana);
  assert.equal(staff.find((x) => x.id === ana.id).status, 'available');
  assert.equal(staff.find((x) => x.id === bo.id).status, 'away');
  assert.equal(ringOutcome(s, c.id, bo.id), 'missed');
  for (const w of [back, wb, wc]) await w.close();
}));

test('a call whose only rung staff member went offline rings on, and rings them again once back', L(async () => {
  const A = await org();
  await setStatus(srv, A.s2, 'away');
  const c = await createCall(srv, A.cl);
  await A.w1.waitFor(incoming(c.id), 3000);
  await A.w1.terminate();
  await poll(async () => {
    const ana = (await availability(srv, A.s2)).find((x) => x.id === A.s1.id);
    return ana.status === 'offline' && ana.state === 'idle';
  }, { timeoutMs: 4000, what: 'the ring withdrawn after the 1 s presence grace' });
  assert.equal((await getCall(srv, A.cl, c.id)).state, 'ringing');
  const back = await connectUser(srv, A.s1, { label: 'ana-back' });
  await back.waitFor(incoming(c.id), 3000, 'the ring again');
  expectStatus(await action(srv, A.s1, c.id, 'accept'), 200);
  await A.wc.waitFor(updated(c.id, 'accepted'), 3000);
  expectStatus(await action(srv, A.cl, c.id, 'end'), 200);
  await back.close();
}));

test('a caller whose socket closes while ringing: cancelled/caller_left after the grace', L(async () => {
  const A = await org();
  const c = await createCall(srv, A.cl);
  await A.w1.waitFor(incoming(c.id), 3000);
  const t0 = Date.now();
  await A.wc.close();
  const up = await A.w1.waitFor(updated(c.id, 'cancelled'), 5000, 'the call to be cancelled');
  const took = Date.now() - t0;
  assert.equal(up.call.end_reason, 'caller_left');
  assert.ok(took >= 800, `cancelled after ${took} ms: the 1 s grace was respected`);
  const now = await getCall(srv, A.cl, c.id);
  assert.equal(now.state, 'cancelled');
  assert.equal(now.end_reason, 'caller_left');
}));

test('a caller who reconnects within the grace keeps the call', L(async () => {
  const A = await org();
  const c = await createCall(srv, A.cl);
  await A.w1.waitFor(incoming(c.id), 3000);
  await A.wc.terminate();
  const back = await connectUser(srv, A.cl, { label: 'caller-back' });
  assert.deepEqual(back.welcome.calls.map((x) => x.id), [c.id]);
  // Three graces later the call still rings.
  await A.w1.expectNone(updated(c.id), 3000, 'a change of the call');
  assert.equal((await getCall(srv, A.cl, c.id)).state, 'ringing');
  expectStatus(await action(srv, A.cl, c.id, 'cancel'), 200);
  await back.close();
}));

test('a participant gone longer than the reconnect grace ends the call: participant_lost', L(async () => {
  const A = await org();
  const c = await acceptedCall(A);
  const t0 = Date.now();
  await A.w1.terminate();
  const up = await A.wc.waitFor(updated(c.id, 'ended'), 5000, 'the call to end');
  assert.equal(up.call.end_reason, 'participant_lost');
  assert.ok(Date.now() - t0 >= 800, 'the reconnect grace was respected');
  const now = await getCall(srv, A.cl, c.id);
  assert.equal(now.state, 'ended');
  assert.equal(now.end_reason, 'participant_lost');

  // Reconnecting within the grace keeps an active call.
  const B = await org();
  const d = await acceptedCall(B);
  expectStatus(await action(srv, B.cl, d.id, 'connected'), 200);
  await B.wc.terminate();
  const back = await connectUser(srv, B.cl, { label: 'caller-back' });
  assert.deepEqual(back.welcome.calls.map((x) => [x.id, x.state]), [[d.id, 'active']]);
  await B.w1.expectNone(updated(d.id, 'ended'), 2500, 'the call to end although the caller came back');
  assert.equal((await getCall(srv, B.cl, d.id)).state, 'active');
  expectStatus(await action(srv, B.cl, d.id, 'end'), 200);
}));

test('ice_servers is pushed to both participants on accept', L(async () => {
  const A = await org();
  const c = await acceptedCall(A);
  for (const w of [A.wc, A.w1]) {
    const m = await w.waitType('ice_servers', () => true, 3000);
    assert.ok(Array.isArray(m.ice_servers) && m.ice_servers.length >= 2, JSON.stringify(m));
    const turn = m.ice_servers.find((s) => s.urls.some((u) => u.startsWith('turn:')));
    assert.ok(turn?.username && turn?.credential, 'TURN credentials included');
    assert.ok(Date.parse(m.expires_at) > Date.now() + 3000 * 1000, 'expires_at about 1 h ahead');
  }
  await A.w2.expectNone((m) => m.type === 'ice_servers', 300, 'ice_servers to a non-participant');
  expectStatus(await action(srv, A.cl, c.id, 'end'), 200);
}));

test('ice_servers is pushed again each half TURN lifetime with fresh credentials', L(async () => {
  const s = await startServer(['--turn-ttl', '2s', '--turn-secret', TURN_SECRET, '--turn-urls', 'turn:127.0.0.1:3478']);
  extra.push(s);
  const o = uniq('org');
  const st = user(o, 'staff', 'ana');
  const cl = user(o, 'client', 'caller');
  const ws = await readyStaff(s, st);
  const wc = await connectUser(s, cl);
  const c = await createCall(s, cl);
  await ws.waitFor(incoming(c.id), 3000);
  const accepted = Date.now();
  expectStatus(await action(s, st, c.id, 'accept'), 200);
  const turnOf = (m) => m.ice_servers.find((x) => x.urls.some((u) => u.startsWith('turn:')));
  await Promise.all([wc, ws].map(async (w) => {
    const first = await w.waitType('ice_servers', () => true, 3000);
    const second = await w.waitType('ice_servers', () => true, 3000);
    const after = Date.now() - accepted;
    assert.ok(after >= 900 && after <= 2500, `${w.label}: renewed ${after} ms after the accept (1 s expected)`);
    assert.ok(Date.parse(second.expires_at) > Date.parse(first.expires_at), `${w.label}: a later expiry`);
    assert.notEqual(turnOf(second).username, turnOf(first).username, `${w.label}: a fresh username`);
    assert.notEqual(turnOf(second).credential, turnOf(first).credential, `${w.label}: a fresh credential`);
    assert.ok(turnOf(second).username.endsWith(`:${w.user.id}`), `${w.label}: username <expiry>:<sub>`);
  }));
  // Not after the end.
  expectStatus(await action(s, cl, c.id, 'end'), 200);
  await wc.waitFor(updated(c.id, 'ended'), 3000);
  wc.skipAll();
  await wc.expectNone((m) => m.type === 'ice_servers', 1500, 'ice_servers after the end');
}));

test('the server pings; a peer that does not answer pings is dropped', L(async () => {
  const s = await startServer(['--ws-ping-interval', '300ms']);
  extra.push(s);
  const o = uniq('org');
  const good = await connectUser(s, user(o, 'client', 'good'));
  const bad = new Ws(s, { label: 'no-pong', wsOptions: { autoPong: false } });
  await bad.opened;
  const t0 = Date.now();
  const pingTimes = [];
  bad.ws.on('ping', () => pingTimes.push(Date.now() - t0));
  await bad.hello(user(o, 'client', 'deaf').token);
  await poll(() => good.pings >= 2, { timeoutMs: 3000, what: 'two server pings' });
  await bad.waitClose(5000);
  const closedAfter = Date.now() - t0;
  assert.ok(bad.pings >= 2,
    `a peer that misses two pings is dropped, but this one was dropped ${closedAfter} ms after connecting having received ` +
    `only ${bad.pings} ping(s) (at ${pingTimes.join(', ')} ms; interval 300 ms)`);
  await poll(() => good.pings >= 6, { timeoutMs: 5000, what: 'more server pings' });
  assert.equal(good.closed, null, 'a peer that answers stays connected');
  await good.ping();
}));
