// Issue 2: timers survive a crash. 100 ringing calls, kill -9, restart on the same database:
// every call still goes missed/timeout within 1 s after its ring deadline.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import {
  startServer, user, readyStaff, createCall, getCall, poll, uniq, withLogs,
} from './lib/harness.mjs';

const CALLS = 100;
const RING = ['--ring-timeout', '5s'];
let first;
let second;

after(async () => {
  await first?.kill9();
  await second?.stop({ keepDir: true });
  if (first) rmSync(first.dir, { recursive: true, force: true });
});

test(`${CALLS} ringing calls survive kill -9 and still time out on time`, withLogs(() => [first, second], async () => {
  first = await startServer(RING);
  const org = uniq('org');
  const staff = user(org, 'staff');
  await readyStaff(first, staff);
  const clients = Array.from({ length: CALLS }, (_, i) => user(org, 'client', `crash-client-${i}`));

  const t0 = Date.now();
  const calls = [];
  for (let i = 0; i < CALLS; i += 25) {
    calls.push(...(await Promise.all(clients.slice(i, i + 25).map((c) => createCall(first, c)))));
  }
  const createdIn = Date.now() - t0;
  for (const c of calls) assert.equal(c.state, 'ringing');
  const firstDeadline = Math.min(...calls.map((c) => Date.parse(c.ring_deadline)));
  const lastDeadline = Math.max(...calls.map((c) => Date.parse(c.ring_deadline)));

  await first.kill9();
  second = await startServer(RING, { dir: first.dir });
  const upAt = Date.now();
  const whileDown = calls.filter((c) => Date.parse(c.ring_deadline) <= upAt).length;
  console.log(`crash: created ${CALLS} calls in ${createdIn} ms; back up ${firstDeadline - upAt} ms before the first deadline` +
    `${whileDown ? ` (${whileDown} deadlines passed while it was down: a slow machine)` : ''}`);

  // Poll (bounded) until no call of the org is ringing any more, then read every call.
  await poll(async () => {
    const r = await second.request('GET', '/v1/calls?state=ringing&limit=100', { token: staff.token });
    return r.status === 200 && r.body.calls.length === 0;
  }, { timeoutMs: Math.max(lastDeadline + 3000 - Date.now(), 3000), intervalMs: 100, what: 'every call to leave ringing' });
  // A deadline that passed while the server was down can only be honoured once it is back.
  let maxLate = -Infinity;
  const bad = [];
  for (let i = 0; i < CALLS; i++) {
    const c = await getCall(second, clients[i], calls[i].id);
    const due = Math.max(Date.parse(c.ring_deadline), upAt);
    const late = c.ended_at ? Date.parse(c.ended_at) - due : NaN;
    const early = c.ended_at ? Date.parse(c.ended_at) < Date.parse(c.ring_deadline) : true;
    if (c.state !== 'missed' || c.end_reason !== 'timeout' || early || !(late <= 1000) || c.version !== 2) {
      bad.push({ id: c.id, state: c.state, end_reason: c.end_reason, version: c.version, ring_deadline: c.ring_deadline, ended_at: c.ended_at, late });
    }
    if (Number.isFinite(late)) maxLate = Math.max(maxLate, late);
  }
  console.log(`crash: max lateness of a ring timeout after restart: ${maxLate} ms`);
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} calls did not go missed/timeout within 1 s after their deadline`);
}));
