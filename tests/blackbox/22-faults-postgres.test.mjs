// Issue 10 on PostgreSQL (docs/api.md#failures): a paused database gives `503 unavailable` within
// about a second instead of hanging (the stall watch, docs/faults.md), `/healthz` keeps answering
// throughout, and the node recovers by itself once the database wakes; a read-only database (as
// after a failover onto a replica) makes /readyz 503 and writes 503, and both recover when it
// takes writes again.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  startServer, user, uniq, readyStaff, createCall, expectError, withLogs, poll, delay,
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

/// Asks /healthz every 100 ms until `stop()`; the slowest answer in ms, and how many were not 200.
async function probeHealth(stop) {
  let slowest = 0;
  let failed = 0;
  let probes = 0;
  while (!stop()) {
    const t0 = Date.now();
    const res = await srv.request('GET', '/healthz', { timeoutMs: 10000 }).catch(() => ({ status: 0 }));
    slowest = Math.max(slowest, Date.now() - t0);
    if (res.status !== 200) failed += 1;
    probes += 1;
    await delay(100);
  }
  return { slowest, failed, probes };
}

test('a paused PostgreSQL: 503 within about a second, /healthz answers throughout, and the node recovers without a restart',
  withLogs(() => [srv], async () => {
    await createCall(srv, user(org, 'client', 'warm-up'));
    const { paused, runuser } = clusterPids();
    let pausedNow = true;
    signal(paused, 'SIGSTOP');
    const health = probeHealth(() => !pausedNow);
    let first;
    let second;
    try {
      const t0 = Date.now();
      const res = await srv.request('POST', '/v1/calls', { token: user(org, 'client', 'paused').token, body: {}, timeoutMs: 30000 });
      first = { res, ms: Date.now() - t0 };
      // Once the stall is known, a write fails at once.
      const t1 = Date.now();
      const again = await srv.request('POST', '/v1/calls', { token: user(org, 'client', 'paused-2').token, body: {}, timeoutMs: 30000 });
      second = { res: again, ms: Date.now() - t1 };
      // The database stays paused for 8 s in all.
      const waited = Date.now() - t0;
      if (waited < 8000) await delay(8000 - waited);
    } finally {
      signal([...paused, runuser], 'SIGCONT');
      pausedNow = false;
    }
    const probed = await health;
    console.log(`paused PostgreSQL: ${first.res.status} after ${first.ms} ms, then ${second.res.status} after ${second.ms} ms; ` +
      `/healthz ${probed.probes} probes, slowest ${probed.slowest} ms, ${probed.failed} not 200`);
    expectError(first.res, 503, 'unavailable');
    expectError(second.res, 503, 'unavailable');
    // The stall watch's second without an answer, a ping period, and slack for a busy machine;
    // /healthz waits at most as long as that first write.
    assert.ok(first.ms < 3000, `first write answered after ${first.ms} ms`);
    assert.ok(second.ms < 500, `second write answered after ${second.ms} ms`);
    assert.equal(probed.failed, 0);
    assert.ok(probed.probes >= 20, `only ${probed.probes} probes in 8 s`);
    assert.ok(probed.slowest < 2500, `/healthz waited ${probed.slowest} ms`);
    await poll(async () => (await srv.request('GET', '/readyz')).status === 200,
      { timeoutMs: 15000, intervalMs: 250, what: '/readyz 200 once PostgreSQL wakes' });
    await createCall(srv, user(org, 'client', 'after-pause'));
    // The operator's view of it (docs/metrics.md): one line when it stalls, one when it answers.
    const events = srv.logs.map((l) => { try { return JSON.parse(l).event; } catch { return null; } });
    const stalled = events.indexOf('postgres.stalled');
    assert.ok(stalled >= 0, 'no postgres.stalled line');
    assert.ok(events.indexOf('postgres.answering_again', stalled) > stalled, 'no postgres.answering_again after it');
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
