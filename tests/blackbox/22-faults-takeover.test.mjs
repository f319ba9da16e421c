// Issue 10, item 8 (docs/api.md#failures): when a node dies, the others end its due calls within about a
// second of their deadlines. Two nodes on PostgreSQL + Redis with default flags (the sweeper every
// 5 s): node A places calls and is killed with kill -9 while they ring; node B, which never set
// their timers, ends each `missed` from what the database says is due
// (docs/decisions/0010-timer-takeover.md).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, user, uniq, readyStaff, createCall, withLogs, delay,
} from './lib/harness.mjs';
import { startPostgres, startRedis } from './lib/services.mjs';

let pg;
let redis;
let a;
let b;

before(async () => {
  pg = await startPostgres();
  redis = await startRedis();
  const args = ['--redis', redis.url, '--ring-timeout', '4s'];
  a = await startServer(args, { db: pg.url });
  b = await startServer(args, { db: pg.url });
});

after(async () => {
  for (const n of [a, b]) await n?.stop();
  await redis?.stop();
  await pg?.stop();
});

const incoming = (id) => (m) => m.type === 'call.incoming' && m.call?.id === id;
const missed = (id) => (m) => m.type === 'call.updated' && m.call?.id === id && m.call.state === 'missed';

test('node A is killed while its calls ring: node B ends each missed within 1.5 s of its deadline',
  withLogs(() => [a, b], async () => {
    const org = uniq('org');
    const staffWs = await readyStaff(b, user(org, 'staff', 'nadia'));
    // When each `missed` reached the staff member on B (waitFor may find one already buffered).
    const seenAt = new Map();
    staffWs.ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.type === 'call.updated' && m.call?.state === 'missed') seenAt.set(m.call.id, Date.now());
    });

    // Six calls placed on A, 150 ms apart, so their deadlines spread over most of a check period.
    const calls = [];
    for (let i = 0; i < 6; i++) {
      calls.push(await createCall(a, user(org, 'client', `caller-${i}`)));
      await delay(150);
    }
    for (const c of calls) await staffWs.waitFor(incoming(c.id), 5000, `call ${c.id} rings on B`);
    await a.kill9();
    const firstDeadline = Date.parse(calls[0].ring_deadline);
    assert.ok(Date.now() < firstDeadline - 500, 'A died while every call still rang');

    for (const c of calls) await staffWs.waitFor(missed(c.id), 10000, `call ${c.id} missed through B`);
    const ids = calls.map((c) => `'${c.id}'`).join(',');
    const rows = pg.psql(`SELECT id, state, end_reason, ended_at - ring_deadline FROM calls WHERE id IN (${ids})`)
      .split('\n').map((line) => line.split('|'));
    assert.equal(rows.length, calls.length);
    const endedLate = new Map(rows.map(([id, , , late]) => [id, Number(late)]));
    for (const [id, state, reason] of rows) assert.deepEqual([id, state, reason], [id, 'missed', 'timeout']);
    const seenLate = calls.map((c) => seenAt.get(c.id) - Date.parse(c.ring_deadline));
    console.log(`takeover lateness after kill -9, ms past each ring deadline: ended_at ${calls.map((c) => endedLate.get(c.id)).join(', ')}; `
      + `seen by staff on B ${seenLate.join(', ')}`);
    for (const late of seenLate) {
      assert.ok(late >= 0 && late < 1500, `missed reached B ${late} ms after its deadline`);
    }
  }));
