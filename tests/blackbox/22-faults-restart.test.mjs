// Issue 10, item 7 (docs/api.md#routing): a restart must not punish staff for the server's own
// downtime. Rings that ran out while the server was down, or before staff could reconnect after
// it came back (the presence grace), do not count toward --max-missed: after kill -9 and a
// restart, staff who reconnect are still `available`.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import {
  startServer, user, uniq, readyStaff, connectUser, createCall, getCall, availability, poll,
  withLogs, delay,
} from './lib/harness.mjs';

// One missed ring is enough to be set away: any ring counted by mistake shows.
const ARGS = ['--ring-timeout', '2s', '--max-missed', '1', '--presence-grace', '10s'];
let first;
let second;

after(async () => {
  await first?.kill9();
  await second?.stop({ keepDir: true });
  if (first) rmSync(first.dir, { recursive: true, force: true });
});

test('after kill -9 and a restart, rings that ran out meanwhile or within the grace leave staff available',
  withLogs(() => [first, second], async () => {
    first = await startServer(ARGS);
    const org = uniq('org');
    const staff = [user(org, 'staff', 'ria'), user(org, 'staff', 'rob')];
    for (const s of staff) await readyStaff(first, s);
    const before = [];
    for (let i = 0; i < 3; i++) before.push(await createCall(first, user(org, 'client', `before-${i}`)));

    await first.kill9();
    await delay(2500);  // Every ring deadline passes while the server is down.
    second = await startServer(ARGS, { dir: first.dir });
    // A call placed within the grace, before staff are back: it rings them anyway (they still
    // count as connected) and runs out before they could have answered.
    const during = await createCall(second, user(org, 'client', 'during'));
    await delay(500);
    for (const s of staff) await connectUser(second, s);  // No PUT available: nothing forgiven.

    for (const c of [...before, during]) {
      await poll(async () => (await getCall(second, staff[0], c.id)).state === 'missed',
        { timeoutMs: 5000, what: `call ${c.id} to end missed` });
    }
    const board = await availability(second, staff[0]);
    for (const s of staff) {
      const entry = board.find((e) => e.id === s.id);
      assert.equal(entry?.status, 'available', `${s.id} after the restart: ${JSON.stringify(entry)}`);
    }
  }));
