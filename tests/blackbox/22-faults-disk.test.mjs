// Issue 10, a full disk under SQLite (docs/api.md#failures): a command whose write fails answers
// `503 unavailable`, never a 409; /readyz fails while writes fail; nothing committed is lost, and
// once space is freed the same accept goes through and /readyz is 200 again, without a restart.
// The database lives on a small tmpfs this test mounts (root only) and always unmounts.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startServer, user, uniq, readyStaff, createCall, getCall, action, expectStatus, expectError,
  withLogs, poll,
} from './lib/harness.mjs';

const isRoot = process.getuid?.() === 0;
let dir;
let mounted = false;
let srv;

after(async () => {
  await srv?.stop({ keepDir: true });
  if (mounted) execFileSync('umount', [dir]);
  if (dir) rmSync(dir, { recursive: true, force: true });
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
    const placed = [];
    let refused = null;
    for (let i = 0; i < 400 && !refused; i++) {
      const c = user(org, 'client', `filler-${i}`);
      const r = await srv.request('POST', '/v1/calls', { token: c.token, body: { metadata: { pad: 'x'.repeat(1000) } } });
      if (r.status === 201) placed.push({ client: c, call: r.body });
      else refused = r;
    }
    assert.ok(refused, 'a write was refused on the full disk');
    expectError(refused, 503, 'unavailable');

    // The accept that cannot be written is retryable, not a lost race.
    fillUp(filler);
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
