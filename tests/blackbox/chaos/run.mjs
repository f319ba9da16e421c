// The chaos run (issue 10): steady load while faults are injected at random, then the invariants
// checked from the database and the webhook receiver. Run by scripts/chaos.sh; see its header.
//
// Phase 1 (about 3/4 of the time): two nodes on PostgreSQL + Redis and a webhook receiver.
// Faults: kill -9 of a node and its restart, PostgreSQL paused (SIGSTOP) for 5 s, PostgreSQL
// restarted, Redis paused for 5 s, Redis killed and restarted.
// Phase 2: one node on SQLite on a small tmpfs. Faults: the disk filled for 5 s and freed,
// kill -9 and restart.

import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, user, uniq, delay } from '../lib/harness.mjs';
import { startPostgres, startRedis, freePort } from '../lib/services.mjs';
import { startReceiver } from '../lib-ops.mjs';
import { LoadDriver } from './load.mjs';
import { checkInvariants, TERMINAL } from './invariants.mjs';

const DURATION_S = Number(process.env.CHAOS_DURATION ?? 120);
const RATE = Number(process.env.CHAOS_RATE ?? 4);
let seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100000);
const SEED = seed;
// A small PRNG, so a run can be repeated with CHAOS_SEED.
export function random() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const pick = (xs) => xs[Math.floor(random() * xs.length)];
const log = (...a) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}]`, ...a);
const WH_SECRET = `chaos-${uniq('whsec')}-0123456789abcdef`;

function signal(pids, sig) {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone already */
    }
  }
}

function pgCtl(args) {
  const bin = join('/usr/lib/postgresql', execFileSync('ls', ['/usr/lib/postgresql']).toString().trim().split('\n').sort().pop(), 'bin', 'pg_ctl');
  execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], { stdio: 'pipe' });
}

/// Everything about the PostgreSQL cluster the faults need.
function pgCluster(pg) {
  const dir = pg.psql("SELECT setting FROM pg_settings WHERE name = 'data_directory'");
  const port = new URL(pg.url).port;
  const pids = () => {
    const postmaster = Number(readFileSync(`${dir}/postmaster.pid`, 'utf8').split('\n')[0]);
    let children = [];
    try {
      children = execFileSync('pgrep', ['-P', String(postmaster)]).toString().trim().split('\n').map(Number);
    } catch {
      /* none */
    }
    const parent = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${postmaster}/status`, 'utf8'))[1]);
    return { paused: [postmaster, ...children], parent };
  };
  return {
    async pause(ms) {
      const { paused, parent } = pids();
      signal(paused, 'SIGSTOP');
      await delay(ms);
      signal([...paused, parent], 'SIGCONT');
    },
    restart() {
      pgCtl(['-D', dir, 'restart', '-m', 'fast', '-w', '-o',
        `-p ${port} -k ${join(dir, '..')} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', join(dir, '..', 'restart.log')]);
    },
  };
}

function redisPid(redis) {
  const port = new URL(redis.url).port;
  return Number(execFileSync('pgrep', ['-f', `redis-server 127.0.0.1:${port}`]).toString().trim().split('\n')[0]);
}

/// A node that can be killed and started again on the same address.
async function node(name, args, opts) {
  const port = await freePort();
  const full = [...args, '--listen', `127.0.0.1:${port}`];
  const n = { name, srv: await startServer(full, opts), up: true, restarts: 0 };
  n.kill9 = async () => {
    n.up = false;
    await n.srv.kill9();
  };
  n.start = async () => {
    n.srv = await startServer(full, { ...opts, dir: n.srv.dir });
    n.up = true;
    n.restarts++;
  };
  return n;
}

function rssMb(srv) {
  try {
    const kb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8'))[1]);
    return Math.round(kb / 1024);
  } catch {
    return NaN;
  }
}

/// Runs `faults` one after another at random moments until `untilMs`: each round takes every
/// fault once, in a random order, so a short run still tries each kind.
async function injectFaults(untilMs, faults, counts) {
  let round = [];
  while (Date.now() < untilMs - 8000) {
    await delay(3000 + random() * 7000);
    if (Date.now() >= untilMs - 8000) break;
    if (round.length === 0) round = [...faults].sort(() => random() - 0.5);
    const f = round.pop();
    log(`fault: ${f.name}`);
    counts[f.name] = (counts[f.name] ?? 0) + 1;
    try {
      await f.run();
    } catch (e) {
      log(`fault ${f.name} failed to inject: ${e.message}`);
      counts.injection_errors = (counts.injection_errors ?? 0) + 1;
    }
  }
}

async function phaseCluster(seconds, results) {
  log(`phase 1: two nodes on PostgreSQL + Redis for ${seconds} s at ${RATE} calls/s`);
  const pg = await startPostgres();
  const redis = await startRedis();
  const rec = await startReceiver({ mode: 'up' });
  const args = ['--redis', redis.url, '--webhook-url', rec.url, '--webhook-secret', WH_SECRET,
    '--ring-timeout', '6s', '--queue-timeout', '8s', '--sweep-interval', '1s', '--max-missed', '1000'];
  const nodes = [await node('A', args, { db: pg.url }), await node('B', args, { db: pg.url })];
  const cluster = pgCluster(pg);
  const rss0 = nodes.map((n) => rssMb(n.srv));
  const org = uniq('chaos');
  const load = new LoadDriver({ org, nodes, rate: RATE, staffCount: 8, random, log });
  const faultCounts = {};
  const faults = [
    { name: 'kill -9 a node, restart after 1-3 s', run: async () => {
      const n = pick(nodes.filter((x) => x.up));
      if (!n) return;
      await n.kill9();
      await delay(1000 + random() * 2000);
      await n.start();
    } },
    { name: 'pause PostgreSQL 5 s', run: () => cluster.pause(5000) },
    { name: 'restart PostgreSQL', run: async () => cluster.restart() },
    { name: 'pause Redis 5 s', run: async () => {
      const pid = redisPid(redis);
      signal([pid], 'SIGSTOP');
      await delay(5000);
      signal([pid], 'SIGCONT');
    } },
    { name: 'kill Redis, restart after 2 s', run: async () => {
      await redis.kill();
      await delay(2000);
      await redis.restart();
    } },
  ];
  try {
    await load.start();
    await injectFaults(Date.now() + seconds * 1000, faults, faultCounts);
    for (const n of nodes) if (!n.up) await n.start();
    await load.stopAndSettle(9000);
    const sql = (q) => pg.psql(q);
    const outcome = await checkInvariants({ phase: 'cluster', sql, load, receiver: rec, nodes, log, rss0, rssMb });
    results.push({ phase: 'cluster', faults: faultCounts, ...outcome });
  } finally {
    load.close();
    for (const n of nodes) await n.srv.stop();
    await rec.stop();
    await redis.stop();
    await pg.stop();
  }
}

/// Appends to `file` until the filesystem refuses: the disk is full.
function fillUp(file) {
  const chunk = Buffer.alloc(64 * 1024, 1);
  for (let size = chunk.length; size >= 1; size >>= 1) {
    for (;;) {
      try {
        appendFileSync(file, chunk.subarray(0, size));
      } catch (e) {
        if (e.code !== 'ENOSPC') throw e;
        break;
      }
    }
  }
}

async function phaseSqlite(seconds, results) {
  if (process.getuid?.() !== 0) {
    log('phase 2 skipped: mounting a tmpfs needs root');
    return;
  }
  log(`phase 2: one node on SQLite on a 16 MB tmpfs for ${seconds} s`);
  const dir = mkdtempSync(join(tmpdir(), 'sb-chaos-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16M', 'tmpfs', dir]);
  const rec = await startReceiver({ mode: 'up' });
  const args = ['--webhook-url', rec.url, '--webhook-secret', WH_SECRET, '--ring-timeout', '6s',
    '--queue-timeout', '8s', '--sweep-interval', '1s', '--max-missed', '1000'];
  const nodes = [await node('S', args, { dir })];
  const rss0 = nodes.map((n) => rssMb(n.srv));
  const load = new LoadDriver({ org: uniq('chaos-sqlite'), nodes, rate: RATE, staffCount: 4, random, log });
  const filler = join(dir, 'filler');
  const faultCounts = {};
  const faults = [
    { name: 'fill the disk for 5 s, then free it', run: async () => {
      fillUp(filler);
      await delay(5000);
      unlinkSync(filler);
    } },
    { name: 'kill -9 the node, restart after 1-3 s', run: async () => {
      await nodes[0].kill9();
      await delay(1000 + random() * 2000);
      await nodes[0].start();
    } },
  ];
  try {
    await load.start();
    await injectFaults(Date.now() + seconds * 1000, faults, faultCounts);
    if (!nodes[0].up) await nodes[0].start();
    await load.stopAndSettle(9000);
    const db = join(dir, 'sb.db');
    const sql = (q) => execFileSync('sqlite3', ['-readonly', db, q]).toString().trim();
    const integrity = sql('PRAGMA integrity_check');
    const outcome = await checkInvariants({ phase: 'sqlite', sql, load, receiver: rec, nodes, log, rss0, rssMb });
    outcome.checks.push({ name: 'SQLite integrity_check is ok', ok: integrity === 'ok', detail: integrity.slice(0, 200) });
    results.push({ phase: 'sqlite', faults: faultCounts, ...outcome });
  } finally {
    load.close();
    await nodes[0].srv.stop({ keepDir: true });
    await rec.stop();
    try {
      unlinkSync(filler);
    } catch {
      /* freed already */
    }
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  log(`seed ${SEED}, ${DURATION_S} s, ${RATE} calls/s (terminal states: ${TERMINAL.join(', ')})`);
  const results = [];
  const clusterS = Math.max(40, Math.round(DURATION_S * 0.75));
  const sqliteS = Math.max(20, DURATION_S - clusterS);
  await phaseCluster(clusterS, results);
  await phaseSqlite(sqliteS, results);

  let passed = 0;
  let failed = 0;
  for (const r of results) {
    console.log(`\n=== ${r.phase}: faults ${JSON.stringify(r.faults)}`);
    console.log('| figure | value |\n|---|---|');
    for (const [k, v] of Object.entries(r.figures)) console.log(`| ${k} | ${v} |`);
    for (const c of r.checks) {
      console.log(`${c.ok ? 'PASS' : 'FAIL'} ${r.phase}: ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
      if (c.ok) passed++;
      else failed++;
    }
  }
  console.log(`\nchaos (seed ${SEED}): ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  console.log('chaos: 0 passed, 1 failed');
  process.exit(1);
});
