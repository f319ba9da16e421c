// Issue 10, a full disk under SQLite (docs/api.md#failures): a command whose write fails answers
// `503 unavailable`, never a 409; /readyz fails while writes fail; nothing committed is lost, and
// once space is freed the same accept goes through and /readyz is 200 again, without a restart.
// A ring deadline that passes meanwhile is announced to nobody (nothing is announced before it is
// durable) and the call ends `missed` within a second of space coming back (item 6).
// The database lives on a small tmpfs each test mounts (root only) and always unmounts.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startServer, user, uniq, readyStaff, connectUser, createCall, getCall, action, expectStatus,
  expectError, withLogs, poll, delay,
} from './lib/harness.mjs';

const isRoot = process.getuid?.() === 0;
let dir;
let mounted = false;
let srv;
// The second test's tmpfs and server.
let dueDir;
let dueSrv;

after(async () => {
  await srv?.stop({ keepDir: true });
  await dueSrv?.stop({ keepDir: true });
  if (mounted) execFileSync('umount', [dir]);
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (dueDir) {
    execFileSync('umount', [dueDir]);
    rmSync(dueDir, { recursive: true, force: true });
  }
});

/// Appends to `file` until the filesystem refuses: the disk is full.
function fillUp(file) {
  const chunk = Buffer.alloc(64 * 1024, 1);
  for (;;) {
    try {
      appendFileSync(file, chunk);
    } catch (e) {
      if (e.code !== 'ENOSPC') throw e;
      break;
    }
  }
  // A last few bytes may still fit in the remainder of a page.
  for (let size = 4096; size >= 1; size >>= 1) {
    try {
      appendFileSync(file, chunk.subarray(0, size));
    } catch (e) {
      if (e.code !== 'ENOSPC') throw e;
    }
  }
}

/// Places calls from new callers until a write is refused: SQLite has no room left even in the
/// pages it holds. Returns the calls placed and the refusal.
async function placeUntilRefused(node, org) {
  const placed = [];
  let refused = null;
  for (let i = 0; i < 400 && !refused; i++) {
    const c = user(org, 'client', `filler-${i}`);
    const r = await node.request('POST', '/v1/calls', { token: c.token, body: { metadata: { pad: 'x'.repeat(1000) } } });
    if (r.status === 201) placed.push({ client: c, call: r.body });
    else refused = r;
  }
  return { placed, refused };
}

/// Small writes (a staff member of another org going away and back) until one is refused. A write
/// refused on a full disk leaves room in the WAL file that a smaller one can still use, so a
/// single refusal does not mean the next accept or timeout fails; this uses that room up.
async function useUpTheRoom(node) {
  const other = user(uniq('org'), 'staff', 'toggler');
  for (let i = 0; i < 3000; i++) {
    const status = i % 2 ? 'available' : 'away';
    const r = await node.request('PUT', '/v1/staff/me/availability', { token: other.token, body: { status } });
    if (r.status === 503) return r;
  }
  return null;
}

test('a full disk: writes answer 503 (never 409), /readyz is 503, and both recover once space is freed',
  { skip: isRoot ? false : 'mounting a tmpfs needs root' },
  withLogs(() => [srv], async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-full-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4M', 'tmpfs', dir]);
    mounted = true;
    srv = await startServer(['--ring-timeout', '60s'], { dir });
    const org = uniq('org');
    const staff = user(org, 'staff', 'sam');
    await readyStaff(srv, staff);
    const client = user(org, 'client', 'carla');
    const waiting = await createCall(srv, client);
    expectStatus(await srv.request('GET', '/readyz'), 200);

    // Fill the disk, then place calls until SQLite has no room left even in pages it holds.
    const filler = join(dir, 'filler');
    fillUp(filler);
    assert.ok(statfsSync(dir).bavail === 0, 'the tmpfs is full');
    const { placed, refused } = await placeUntilRefused(srv, org);
    assert.ok(refused, 'a write was refused on the full disk');
    expectError(refused, 503, 'unavailable');

    // The accept that cannot be written is retryable, not a lost race.
    fillUp(filler);
    assert.ok(await useUpTheRoom(srv), 'a small write was refused too');
    const accept = await action(srv, staff, waiting.id, 'accept');
    expectError(accept, 503, 'unavailable');
    assert.equal(accept.body.error.retryable, true);
    const ready = await srv.request('GET', '/readyz');
    expectError(ready, 503, 'unavailable');
    // Reads still work, and the call still rings for the staff member.
    assert.equal((await getCall(srv, client, waiting.id)).state, 'ringing');

    // Space comes back: the same accept goes through, and the node is ready again.
    rmSync(filler);
    expectStatus(await action(srv, staff, waiting.id, 'accept'), 200);
    await poll(async () => (await srv.request('GET', '/readyz')).status === 200,
      { timeoutMs: 10000, what: '/readyz back to 200' });
    // Nothing committed was lost.
    assert.equal((await getCall(srv, client, waiting.id)).state, 'accepted');
    for (const p of placed) assert.equal((await getCall(srv, p.client, p.call.id)).id, p.call.id);
    await srv.stop({ keepDir: true });
    srv = null;
    const check = execFileSync('sqlite3', [join(dir, 'sb.db'), 'PRAGMA integrity_check']).toString().trim();
    assert.equal(check, 'ok');
  }));

test('a ring deadline that passes on a full disk: announced to nobody, then missed within a second of space coming back',
  { skip: isRoot ? false : 'mounting a tmpfs needs root' },
  withLogs(() => [dueSrv], async () => {
    const tmpfs = mkdtempSync(join(tmpdir(), 'sb-full-disk-due-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4M', 'tmpfs', tmpfs]);
    dueDir = tmpfs;
    dueSrv = await startServer(['--ring-timeout', '8s'], { dir: dueDir });
    const org = uniq('org');
    const staff = user(org, 'staff', 'dora');
    const client = user(org, 'client', 'cleo');
    const staffWs = await readyStaff(dueSrv, staff);
    const clientWs = await connectUser(dueSrv, client);
    const due = await createCall(dueSrv, client);
    const deadline = Date.parse(due.ring_deadline);
    await staffWs.waitFor((m) => m.type === 'call.incoming' && m.call?.id === due.id, 5000, 'rung');
    // Any news of the call beyond `ringing` (the caller hears that one when the call is placed).
    const updates = (ws) => ws.messages.filter((m) => m.type === 'call.updated' && m.call?.id === due.id
      && m.call.state !== 'ringing');

    const filler = join(dueDir, 'filler');
    fillUp(filler);
    const { refused } = await placeUntilRefused(dueSrv, org);
    assert.ok(refused, 'a write was refused on the full disk');
    fillUp(filler);
    assert.ok(await useUpTheRoom(dueSrv), 'a small write was refused too');
    assert.ok(Date.now() < deadline - 1000, 'the disk was full before the ring deadline');

    // The deadline passes while no write can succeed: the call still rings in the database, and
    // neither participant is told anything.
    await delay(deadline + 2000 - Date.now());
    assert.equal((await getCall(dueSrv, client, due.id)).state, 'ringing');
    assert.deepEqual([updates(staffWs).length, updates(clientWs).length], [0, 0]);

    rmSync(filler);
    const freedAt = Date.now();
    const ends = (m) => m.type === 'call.updated' && m.call?.id === due.id && m.call.state !== 'ringing';
    const missed = await clientWs.waitFor(ends, 5000, 'the call ends once space is back');
    const after = Date.now() - freedAt;
    await staffWs.waitFor(ends, 2000, 'staff told too');
    const ended = await getCall(dueSrv, client, due.id);
    console.log(`full disk: a call due ${freedAt - deadline} ms before space came back ended ${ended.state} `
      + `${after} ms after it (ended_at ${Date.parse(ended.ended_at) - deadline} ms past its deadline)`);
    assert.deepEqual([missed.call.state, ended.state, ended.end_reason], ['missed', 'missed', 'timeout']);
    assert.ok(after < 1500, `ended ${after} ms after space came back`);
  }));
