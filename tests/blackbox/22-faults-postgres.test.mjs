// Issue 10 on PostgreSQL (docs/api.md#failures): a paused database gives `503 unavailable` within a
// bounded time instead of hanging (libpq connect, keepalive and statement timeouts, and the
// driver's own deadline), and the node recovers by itself once the database wakes; a read-only
// database (as after a failover onto a replica) makes /readyz 503 and writes 503, and both
// recover when it takes writes again.
// Out of scope here (issue 8): storage still runs on the io thread, so /healthz stalls while a
// statement waits.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  startServer, user, uniq, readyStaff, createCall, expectError, withLogs, poll,
} from './lib/harness.mjs';
import { startPostgres } from './lib/services.mjs';

let pg;
let srv;
let org;

before(async () => {
  pg = await startPostgres();
  srv = await startServer(['--ring-timeout', '30s'], { db: pg.url });
  org = uniq('org');
  await readyStaff(srv, user(org, 'staff', 'pia'));
});

after(async () => {
  await srv?.stop();
  await pg?.stop();
});

const parentOf = (pid) => Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

/// The postmaster of our own cluster and its children (never another test's PostgreSQL), and
/// the runuser above it, which stops itself when its child stops and must be continued too.
function clusterPids() {
  // From postmaster.pid: a backend's own pid is gone as soon as psql disconnects.
  const dataDir = pg.psql("SELECT setting FROM pg_settings WHERE name = 'data_directory'");
  const postmaster = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
  const children = execFileSync('pgrep', ['-P', String(postmaster)]).toString().trim().split('\n').map(Number);
  return { paused: [postmaster, ...children], runuser: parentOf(postmaster) };
}

function signal(pids, sig) {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone already */
    }
  }
}

test('a paused PostgreSQL gives 503 within the timeouts, and the node recovers without a restart',
  withLogs(() => [srv], async () => {
    await createCall(srv, user(org, 'client', 'warm-up'));
    const { paused, runuser } = clusterPids();
    signal(paused, 'SIGSTOP');
    let res;
    let waited;
    const t0 = Date.now();
    try {
      res = await srv.request('POST', '/v1/calls', { token: user(org, 'client', 'paused').token, body: {}, timeoutMs: 30000 });
      waited = Date.now() - t0;
      // The database stays paused for 8 s in all.
      if (waited < 8000) await new Promise((r) => setTimeout(r, 8000 - waited));
    } finally {
      signal([...paused, runuser], 'SIGCONT');
    }
    console.log(`paused PostgreSQL: ${res.status} after ${waited} ms`);
    expectError(res, 503, 'unavailable');
    // The statement deadline (6 s), plus a reconnect attempt (3 s), plus slack.
    assert.ok(waited < 12000, `answered after ${waited} ms`);
    await poll(async () => (await srv.request('GET', '/readyz')).status === 200,
      { timeoutMs: 15000, intervalMs: 250, what: '/readyz 200 once PostgreSQL wakes' });
    await createCall(srv, user(org, 'client', 'after-pause'));
  }));

test('a read-only PostgreSQL: /readyz 503 and writes 503, then both recover', withLogs(() => [srv], async () => {
  pg.psql('ALTER SYSTEM SET default_transaction_read_only = on');
  pg.psql('SELECT pg_reload_conf()');
  try {
    await poll(async () => (await srv.request('GET', '/readyz')).status === 503,
      { timeoutMs: 5000, what: '/readyz 503 on a read-only database' });
    const refused = await srv.request('POST', '/v1/calls', { token: user(org, 'client', 'ro').token, body: {} });
    expectError(refused, 503, 'unavailable');
  } finally {
    pg.psql('ALTER SYSTEM RESET default_transaction_read_only');
    pg.psql('SELECT pg_reload_conf()');
  }
  await poll(async () => (await srv.request('GET', '/readyz')).status === 200,
    { timeoutMs: 10000, intervalMs: 250, what: '/readyz 200 once writes work' });
  await createCall(srv, user(org, 'client', 'rw-again'));
}));
