// Issue 2: the accept race. 50 rung staff accept the same call at once; exactly one wins.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, user, readyStaff, createCall, getCall, action, expectError, uniq, withLogs,
} from './lib/harness.mjs';

const STAFF = 50;
const ROUNDS = Number(process.env.BLACKBOX_RACE_ROUNDS || 200);
let srv;
const org = uniq('org');
const client = user(org, 'client');
const staff = Array.from({ length: STAFF }, (_, i) => user(org, 'staff', `racer-${i}`));
let sockets = [];

before(async () => {
  srv = await startServer(['--ring-timeout', '60s']);
  sockets = await Promise.all(staff.map((s) => readyStaff(srv, s)));
});

after(async () => {
  await srv?.stop();
});

test(`${STAFF} staff accept the same call at once, ${ROUNDS} rounds: exactly one wins each time`, withLogs(() => srv, async () => {
  const wins = new Map();
  const started = process.hrtime.bigint();
  for (let round = 0; round < ROUNDS; round++) {
    const c = await createCall(srv, client, { metadata: { round: String(round) } });
    // Every staff member is rung (each is told), then they all accept at once.
    await Promise.all(sockets.map((w) => w.waitType('call.incoming', (m) => m.call?.id === c.id, 10000)));
    const results = await Promise.all(staff.map((s) => action(srv, s, c.id, 'accept')));
    const winners = results.map((r, i) => (r.status === 200 ? i : -1)).filter((i) => i >= 0);
    assert.equal(winners.length, 1,
      `round ${round}: exactly one 200; statuses ${JSON.stringify(results.map((r) => r.status))}`);
    const w = winners[0];
    for (let i = 0; i < STAFF; i++) {
      if (i === w) continue;
      expectError(results[i], 409, 'call_already_taken');
    }
    assert.equal(results[w].body.staff?.id, staff[w].id, 'the 200 names its winner');
    assert.equal(results[w].body.state, 'accepted');
    assert.equal(results[w].body.version, 2);
    const now = await getCall(srv, client, c.id);
    assert.equal(now.state, 'accepted');
    assert.equal(now.staff?.id, staff[w].id, 'the call names the winner');
    assert.equal(now.version, 2, 'only one transition happened');
    wins.set(staff[w].id, (wins.get(staff[w].id) || 0) + 1);
    const end = await action(srv, staff[w], c.id, 'end');
    assert.equal(end.status, 200, `end: ${end.text}`);
    // Drop messages already handled so the queues stay short.
    for (const s of sockets) s.messages.length = 0;
  }
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`race: ${ROUNDS} rounds of ${STAFF} concurrent accepts in ${secs.toFixed(2)} s = ` +
    `${(ROUNDS / secs).toFixed(1)} rounds/s; ${wins.size} distinct winners`);
}));
