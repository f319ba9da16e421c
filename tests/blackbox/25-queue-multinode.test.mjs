// Issue 11 (docs/queue.md) on several nodes: two switchboard processes on one PostgreSQL
// database and one Redis. The queue is the database's, so its order holds across nodes, and
// when staff on both nodes free up at the same moment exactly one node promotes a given call.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  user, uniq, readyStaff, connectUser, createCall, getCall, action, request,
  expectStatus, withLogs, poll,
} from './lib/harness.mjs';
import { startCluster } from './lib/services.mjs';

let cluster;
let a;
let b;
const nodes = () => [a, b];

before(async () => {
  cluster = await startCluster(['--sweep-interval', '500ms']);
  [a, b] = cluster.nodes;
});

after(async () => {
  await cluster?.stop();
});

const L = (fn) => withLogs(() => nodes(), fn);
const incoming = (id) => (m) => m.type === 'call.incoming' && m.call?.id === id;

/** `staff` on `node` takes a new call and stays in it. */
async function busy(node, org, staff, staffWs) {
  const client = user(org, 'client');
  const c = await createCall(node, client);
  await staffWs.waitFor(incoming(c.id), 5000, 'call.incoming');
  expectStatus(await action(node, staff, c.id, 'accept'), 200);
  expectStatus(await action(node, client, c.id, 'connected'), 200);
  return c;
}

/** How many times any node logged the call's move from queued to ringing. */
function promotions(callId) {
  let n = 0;
  for (const node of nodes()) {
    for (const line of node.logs) {
      if (!line.includes('call.transition') || !line.includes(callId)) continue;
      const j = JSON.parse(line);
      if (j.call_id === callId && j.from === 'queued' && j.to === 'ringing') n += 1;
    }
  }
  return n;
}

test('the queue is one across nodes: order holds, and exactly one node promotes each call', L(async () => {
  const org = uniq('org');
  const sa = user(org, 'staff', 'on-a');
  const sb = user(org, 'staff', 'on-b');
  const admin = user(org, 'admin', 'boss');
  const saWs = await readyStaff(a, sa);
  const sbWs = await readyStaff(b, sb);
  const ca = await busy(a, org, sa, saWs);
  const cb = await busy(b, org, sb, sbWs);

  // Queued alternately on both nodes.
  const callers = [user(org, 'client'), user(org, 'client'), user(org, 'client'), user(org, 'client')];
  const queued = [];
  for (const [i, c] of callers.entries()) queued.push(await createCall(i % 2 ? b : a, c));
  assert.ok(queued.every((c) => c.state === 'queued'));
  for (const node of nodes()) {
    const r = await request(node, 'GET', '/v1/queue', { token: admin.token });
    expectStatus(r, 200);
    assert.deepEqual(r.body.calls.map((c) => c.id), queued.map((c) => c.id), 'the same queue on both nodes');
  }

  // Both staff hang up at the same moment, each on their own node: both nodes try to promote.
  await Promise.all([action(a, sa, ca.id, 'end'), action(b, sb, cb.id, 'end')]);
  await poll(async () => {
    const states = await Promise.all(queued.slice(0, 2).map((c, i) => getCall(a, callers[i], c.id)));
    return states.every((c) => c.state === 'ringing');
  }, { timeoutMs: 5000, what: 'the two oldest queued calls to ring' });
  for (const [i, c] of queued.entries()) {
    const now = await getCall(b, callers[i], c.id);
    assert.equal(now.state, i < 2 ? 'ringing' : 'queued', `call ${i + 1} of the queue`);
    if (i < 2) assert.equal(now.version, 2, 'promoted once: one transition');
  }
  await poll(async () => promotions(queued[0].id) >= 1 && promotions(queued[1].id) >= 1,
    { timeoutMs: 3000, what: 'the promotions in the logs' });
  assert.equal(promotions(queued[0].id), 1, 'exactly one node promoted the head of the queue');
  assert.equal(promotions(queued[1].id), 1, 'exactly one node promoted the second call');

  // The calls still queued move up, and the next free staff member on either node takes them
  // in order.
  const r = await request(b, 'GET', '/v1/queue', { token: admin.token });
  assert.deepEqual(r.body.calls.map((c) => [c.id, c.queue.position]), [[queued[2].id, 1], [queued[3].id, 2]]);
}));
