// Several nodes: two switchboard processes share one PostgreSQL database and one Redis. A call
// placed on one node rings staff connected to the other, signals cross between them, the
// database decides accept races between nodes, and a node killed while its calls ring leaves
// them to the other node's sweeper.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  user, uniq, readyStaff, connectUser, createCall, getCall, action, expectStatus,
  expectError, withLogs, poll,
} from './lib/harness.mjs';
import { startCluster } from './lib/services.mjs';

let cluster;
let a;
let b;
const nodes = () => [a, b];

before(async () => {
  cluster = await startCluster(['--ring-timeout', '4s', '--sweep-interval', '500ms']);
  [a, b] = cluster.nodes;
});

after(async () => {
  await cluster?.stop();
});

const L = (fn) => withLogs(() => nodes(), fn);
const incoming = (id) => (m) => m.type === 'call.incoming' && m.call?.id === id;
const updated = (id, state) => (m) => m.type === 'call.updated' && m.call?.id === id && m.call.state === state;

test('both nodes are ready on PostgreSQL and Redis', L(async () => {
  for (const n of nodes()) {
    expectStatus(await n.request('GET', '/readyz'), 200);
    const line = n.logs.find((l) => l.includes('server.listening'));
    assert.match(line, /"db":"postgres"/);
  }
}));

test('a call placed on node A rings staff on node B; accept on B, signals A→B and B→A, end on A', L(async () => {
  const org = uniq('org');
  const staff = user(org, 'staff', 'nora');
  const admin = user(org, 'admin', 'ada');
  const client = user(org, 'client', 'pat');
  const staffWs = await readyStaff(b, staff);
  const adminWs = await connectUser(a, admin);
  const clientWs = await connectUser(a, client);
  // The admin's board on A shows what the staff member does on B. Only changes after the
  // snapshot are sent, so make one: away, then available again.
  adminWs.send({ type: 'subscribe', topic: 'board' });
  await adminWs.waitFor((m) => m.type === 'board', 5000, 'the admin\'s board on A');
  await b.request('PUT', '/v1/staff/me/availability', { token: staff.token, body: { status: 'away' } });
  await b.request('PUT', '/v1/staff/me/availability', { token: staff.token, body: { status: 'available' } });
  await adminWs.waitFor((m) => m.type === 'board.updated' && m.staff.some((e) => e.id === staff.id && e.status === 'available'),
    5000, 'a change on B reaches the admin\'s board on A');

  const c = await createCall(a, client);
  await staffWs.waitFor(incoming(c.id), 5000, 'call.incoming on B');
  expectStatus(await action(b, staff, c.id, 'accept'), 200);
  await clientWs.waitFor(updated(c.id, 'accepted'), 5000, 'call.updated accepted on A');
  await staffWs.waitType('ice_servers', () => true, 5000);

  staffWs.send({ type: 'signal', call_id: c.id, kind: 'offer', data: { sdp: 'v=0 offer' }, seq: 1 });
  const offer = await clientWs.waitFor((m) => m.type === 'signal' && m.kind === 'offer', 5000, 'offer relayed B→A');
  assert.deepEqual([offer.from, offer.data.sdp, offer.seq], [staff.id, 'v=0 offer', 1]);
  clientWs.send({ type: 'signal', call_id: c.id, kind: 'answer', data: { sdp: 'v=0 answer' }, seq: 1 });
  const answer = await staffWs.waitFor((m) => m.type === 'signal' && m.kind === 'answer', 5000, 'answer relayed A→B');
  assert.equal(answer.from, client.id);

  expectStatus(await action(a, client, c.id, 'connected'), 200);
  expectStatus(await action(a, client, c.id, 'end'), 200);
  await staffWs.waitFor(updated(c.id, 'ended'), 5000, 'call.updated ended on B');
  const final = await getCall(b, staff, c.id);
  assert.deepEqual([final.state, final.end_reason, final.version], ['ended', 'hangup', 4]);
}));

test('an accept race across two nodes: exactly one winner, 30 rounds', L(async () => {
  const org = uniq('org');
  const client = user(org, 'client');
  const staff = Array.from({ length: 10 }, (_, i) => user(org, 'staff', `racer-${i}`));
  const home = (i) => (i % 2 === 0 ? a : b);
  const sockets = await Promise.all(staff.map((s, i) => readyStaff(home(i), s)));
  for (let round = 0; round < 30; round++) {
    const c = await createCall(round % 2 ? a : b, client);
    await Promise.all(sockets.map((w) => w.waitFor(incoming(c.id), 5000, 'rung')));
    const results = await Promise.all(staff.map((s, i) => action(home(i), s, c.id, 'accept')));
    const winners = results.filter((r) => r.status === 200);
    assert.equal(winners.length, 1, `round ${round}: ${results.map((r) => r.status)}`);
    for (const r of results) if (r.status !== 200) expectError(r, 409, 'call_already_taken');
    const now = await getCall(a, client, c.id);
    assert.equal(now.staff?.id, winners[0].body.staff.id);
    assert.equal(now.version, 2);
    expectStatus(await action(b, client, c.id, 'end'), 200);
    for (const w of sockets) w.messages.length = 0;
  }
}));

test('node A is killed while its call rings: node B ends it missed at the deadline', L(async () => {
  const org = uniq('org');
  const staff = user(org, 'staff');
  const client = user(org, 'client');
  const staffWs = await readyStaff(b, staff);
  const c = await createCall(a, client);
  await staffWs.waitFor(incoming(c.id), 5000, 'rung on B');
  await a.kill9();
  const missed = await staffWs.waitFor(updated(c.id, 'missed'), 9000, 'the call missed through B');
  const late = Date.now() - Date.parse(missed.call.ring_deadline);
  assert.ok(late < 2000, `missed ${late} ms after its deadline`);
  assert.equal(missed.call.end_reason, 'timeout');
  const rows = cluster.pg.psql(`SELECT state FROM calls WHERE id = '${c.id}'`);
  assert.equal(rows, 'missed');
  await poll(async () => (await b.request('GET', '/readyz')).status === 200, { what: 'B still ready' });
}));
