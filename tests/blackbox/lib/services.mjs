// Real PostgreSQL and Redis servers for the multi-node tests, started on free loopback ports in
// temp dirs and stopped (and removed) by stop(). PostgreSQL refuses to run as root, so its
// processes run as the `postgres` user that Debian's package creates.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, startServer } from './harness.mjs';

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function until(what, fn, timeoutMs = 20000) {
  const t0 = Date.now();
  let last;
  while (Date.now() - t0 < timeoutMs) {
    try {
      if (await fn()) return;
    } catch (e) {
      last = e;
    }
    await delay(100);
  }
  throw new Error(`${what} did not come up in ${timeoutMs} ms${last ? `: ${last.message}` : ''}`);
}

function pgBin() {
  const versions = readdirSync('/usr/lib/postgresql').sort();
  return join('/usr/lib/postgresql', versions[versions.length - 1], 'bin');
}

function asPostgres(cmd, args, opts = {}) {
  return execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', ...opts });
}

// Resolves {url, stop()} for a fresh cluster; `url` names a database made for this test.
export async function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'sb-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  const bin = pgBin();
  asPostgres(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const proc = spawn('runuser', ['-u', 'postgres', '--', join(bin, 'postgres'), '-D', data,
    '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'], { stdio: 'ignore' });
  const psql = (sql) => asPostgres('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-tAc', sql]);
  await until('postgres', () => psql('SELECT 1').toString().trim() === '1');
  psql('CREATE DATABASE switchboard');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/switchboard`,
    psql: (sql) => asPostgres('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'switchboard', '-tAc', sql]).toString().trim(),
    async stop() {
      // runuser does not pass signals on to postgres: ask pg_ctl, as the postgres user.
      try {
        asPostgres(join(bin, 'pg_ctl'), ['-D', data, 'stop', '-m', 'fast', '-w', '-t', '20']);
      } catch {
        proc.kill('SIGKILL');
      }
      if (proc.exitCode === null) await new Promise((res) => proc.once('exit', res));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Resolves {url, stop(), kill(), restart()} for a redis-server without persistence.
export async function startRedis() {
  const port = await freePort();
  let proc;
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await until('redis', () => execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'pipe' }).toString().trim() === 'PONG');
  };
  const halt = async (signal) => {
    if (proc.exitCode !== null) return;
    proc.kill(signal);
    await new Promise((res) => proc.once('exit', res));
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: () => halt('SIGKILL'),
    restart: start,
    stop: () => halt('SIGTERM'),
  };
}

/**
 * Several nodes on one throwaway PostgreSQL with a throwaway Redis between them
 * (docs/decisions/0003-several-nodes.md): `{ pg, redis, nodes, startNode(args), stop() }`. Each
 * node runs with `--redis` and `args`; `startNode` starts one more on the same two, which its
 * caller stops; `stop()` stops the nodes, then Redis and PostgreSQL.
 */
export async function startCluster(args = [], { count = 2 } = {}) {
  const pg = await startPostgres();
  const redis = await startRedis();
  const nodes = [];
  const cluster = {
    pg,
    redis,
    nodes,
    startNode: (nodeArgs) => startServer(['--redis', redis.url, ...nodeArgs], { db: pg.url }),
    async stop() {
      for (const n of nodes) await n.stop();
      await redis.stop();
      await pg.stop();
    },
  };
  try {
    for (let i = 0; i < count; i++) nodes.push(await cluster.startNode(args));
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}
