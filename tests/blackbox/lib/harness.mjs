// Black-box harness: start the real build/switchboard binary, mint JWTs, talk HTTP and WebSocket.
// Every wait is bounded; nothing here sleeps where an event can be awaited.

import { spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import WebSocket from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '..', '..', '..');
export const BINARY = process.env.SWITCHBOARD_BIN || join(REPO, 'build', 'switchboard');

// HS256 secrets must be at least 32 bytes (RFC 7518 3.2).
export const SECRET = 'blackbox-test-secret-0123456789abcdef';

export const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// Every test client connects from 127.0.0.1, so per-IP limits would be one limit for all of them:
// raised, as behind a proxy (docs/operations.md), unless a test asks for the defaults.
export const HIGH_RATES = ['--rate-user', '100000/s', '--rate-ip', '100000/s', '--max-connections-per-ip', '100000'];

// ---------------------------------------------------------------------------------------------
// Small utilities

export function delay(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function uniq(prefix = 'id') {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

// Poll fn() until it returns a truthy value; throws after timeoutMs with the last value seen.
export async function poll(fn, { timeoutMs = 5000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    }
    await delay(intervalMs);
  }
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// JWT

function b64url(input) {
  return Buffer.from(input).toString('base64url');
}

// claims: {sub, org, role, name?, exp?, iat?, ...}. exp defaults to now + 1 h unless exp === null
// (then it is left out). opts: {secret, alg ('HS256' | 'none' | other header value), header}.
export function mintToken(claims, opts = {}) {
  const now = Math.floor(Date.now() / 1000);
  const body = { iat: now, exp: now + 3600, ...claims };
  if (claims.exp === null) delete body.exp;
  if (claims.iat === null) delete body.iat;
  const alg = opts.alg ?? 'HS256';
  const header = { alg, typ: 'JWT', ...(opts.header || {}) };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(body))}`;
  if (alg === 'none') return `${signingInput}.`;
  const sig = createHmac('sha256', opts.secret ?? SECRET).update(signingInput).digest('base64url');
  return `${signingInput}.${sig}`;
}

// A user of the system: {id, org, role, name, token}.
export function user(org, role, id = uniq(role), name) {
  const displayName = name ?? `${role} ${id}`;
  return { id, org, role, name: displayName, token: mintToken({ sub: id, org, role, name: displayName }) };
}

// ---------------------------------------------------------------------------------------------
// Server process

let serverCount = 0;

// Start build/switchboard on a free port with its own temp dir (or opts.dir to reuse a db).
// Resolves once the "server.listening" JSON line has been seen.
export async function startServer(args = [], opts = {}) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'sb-blackbox-'));
  const ownsDir = !opts.dir;
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SWITCHBOARD_')) env[k] = v;
  Object.assign(env, opts.env || {});
  const rates = opts.defaultRates ? [] : HIGH_RATES;
  const fullArgs = [
    '--listen', '127.0.0.1:0',
    '--db', opts.db ?? `sqlite:${join(dir, 'sb.db')}`,
    // opts.secret === null: no --jwt-secret (a public key or --dev in args instead).
    ...(opts.secret === null ? [] : ['--jwt-secret', opts.secret ?? SECRET]),
    '--log-format', 'json',
    ...rates,
    ...args,
  ];
  const n = ++serverCount;
  const proc = spawn(opts.binary ?? BINARY, fullArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs = [];
  const keep = (line) => {
    logs.push(line);
    if (logs.length > 400) logs.shift();
  };
  let exited = null;
  const exitPromise = new Promise((res) => {
    proc.on('exit', (code, signal) => {
      exited = { code, signal };
      res(exited);
    });
  });
  let port = null;
  const listening = new Promise((res, rej) => {
    let buf = '';
    proc.stdout.on('data', (chunk) => {
      buf += chunk.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        keep(line);
        if (port === null && line.includes('server.listening')) {
          try {
            const j = JSON.parse(line);
            if (j.event === 'server.listening' && Number.isInteger(j.port)) {
              port = j.port;
              res(port);
            }
          } catch {
            /* not JSON: ignore */
          }
        }
      }
    });
    let ebuf = '';
    proc.stderr.on('data', (chunk) => {
      ebuf += chunk.toString();
      let nl;
      while ((nl = ebuf.indexOf('\n')) >= 0) {
        keep(`[stderr] ${ebuf.slice(0, nl)}`);
        ebuf = ebuf.slice(nl + 1);
      }
    });
    proc.on('error', rej);
    exitPromise.then((e) =>
      rej(new Error(`switchboard exited before listening (${JSON.stringify(e)}):\n${logs.slice(-20).join('\n')}`)),
    );
  });
  await withTimeout(listening, opts.startTimeoutMs ?? 20000, `switchboard #${n} to log server.listening`);

  const srv = {
    n,
    proc,
    dir,
    port,
    args: fullArgs,
    base: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/v1/ws`,
    logs,
    sockets: new Set(),
    get exited() {
      return exited;
    },
    // Graceful stop (SIGTERM, then SIGKILL after 5 s). Keeps the temp dir when keepDir.
    async stop({ keepDir = false } = {}) {
      for (const ws of srv.sockets) ws.terminate();
      srv.sockets.clear();
      if (exited === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exitPromise;
        clearTimeout(t);
      }
      if (ownsDir && !keepDir) rmSync(dir, { recursive: true, force: true });
    },
    async kill9() {
      if (exited === null) {
        proc.kill('SIGKILL');
        await exitPromise;
      }
      for (const ws of srv.sockets) ws.terminate();
      srv.sockets.clear();
    },
    removeDir() {
      rmSync(dir, { recursive: true, force: true });
    },
    request: (method, path, o) => request(srv, method, path, o),
    ws: (o) => openWs(srv, o),
    client: (u, o) => connectUser(srv, u, o),
  };
  return srv;
}

// ---------------------------------------------------------------------------------------------
// HTTP

// o: {token, body (object → JSON), raw (string/Buffer sent as is), headers, contentType}
// Returns {status, headers (Headers), body (parsed JSON or null), text}.
export async function request(srv, method, path, o = {}) {
  const headers = { ...(o.headers || {}) };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let body;
  if (o.raw !== undefined) {
    body = o.raw;
    headers['content-type'] ??= o.contentType ?? 'application/json';
  } else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${srv.base}${path}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(o.timeoutMs ?? 15000),
  });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text.length ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, headers: res.headers, body: parsed, text, method, path };
}

function describe(res) {
  return `${res.method} ${res.path} -> ${res.status} ${res.text.slice(0, 400)}`;
}

export function expectStatus(res, status) {
  assert.equal(res.status, status, `expected ${status}: ${describe(res)}`);
  return res.body;
}

// The exact error shape of docs/errors.md.
export function expectError(res, status, code, extra = {}) {
  assert.equal(res.status, status, `expected ${status} ${code}: ${describe(res)}`);
  const b = res.body;
  assert.ok(b && typeof b === 'object' && !Array.isArray(b), `error body is not a JSON object: ${describe(res)}`);
  assert.deepEqual(Object.keys(b), ['error'], `error body must only hold "error": ${describe(res)}`);
  const e = b.error;
  const keys = Object.keys(e).sort();
  const allowed = ['code', 'details', 'message', 'retryable'];
  for (const k of keys) assert.ok(allowed.includes(k), `unexpected key error.${k}: ${describe(res)}`);
  for (const k of ['code', 'message', 'retryable']) assert.ok(k in e, `missing error.${k}: ${describe(res)}`);
  assert.equal(e.code, code, `error code: ${describe(res)}`);
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0, 'error.message is empty');
  assert.equal(typeof e.retryable, 'boolean', `error.retryable must be a boolean: ${describe(res)}`);
  if ('details' in e) assert.ok(e.details && typeof e.details === 'object', 'error.details must be an object');
  if ('retryable' in extra) assert.equal(e.retryable, extra.retryable, `error.retryable: ${describe(res)}`);
  assert.ok(res.headers.get('x-request-id'), `no X-Request-Id on ${describe(res)}`);
  return e;
}

// ---------------------------------------------------------------------------------------------
// WebSocket

// A WebSocket with a message queue. Messages are parsed JSON (or {__raw} when not JSON).
export class Ws {
  constructor(srv, o = {}) {
    this.srv = srv;
    this.label = o.label ?? 'ws';
    this.messages = []; // every message received, in order
    this.cursor = 0; // waitFor() consumes from here... but never removes: see take()
    this.waiters = [];
    this.closed = null; // {code, reason}
    this.pings = 0;
    this.ws = new WebSocket(srv.wsUrl, { maxPayload: 1 << 20, ...(o.wsOptions || {}) });
    srv.sockets.add(this.ws);
    this.ws.on('message', (data, isBinary) => {
      let m;
      try {
        m = JSON.parse(data.toString());
      } catch {
        m = { __raw: data.toString(), __binary: isBinary };
      }
      this.messages.push(m);
      this._wake();
    });
    this.ws.on('ping', () => {
      this.pings++;
      this._wake();
    });
    this.closedPromise = new Promise((res) => {
      this.ws.on('close', (code, reason) => {
        this.closed = { code, reason: reason.toString() };
        srv.sockets.delete(this.ws);
        this._wake();
        res(this.closed);
      });
    });
    this.ws.on('error', (err) => {
      this.error = err;
      this._wake();
    });
    this.opened = new Promise((res, rej) => {
      this.ws.once('open', res);
      this.ws.once('error', rej);
      this.ws.once('close', (code) => rej(new Error(`${this.label} closed before open (${code})`)));
    });
  }

  _wake() {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  _changed() {
    return new Promise((r) => this.waiters.push(r));
  }

  send(obj) {
    this.ws.send(typeof obj === 'string' || Buffer.isBuffer(obj) ? obj : JSON.stringify(obj));
  }

  // Wait for the first message (after `from`, default: any not yet taken) matching pred.
  // Matched messages are marked taken so the same message is not returned twice.
  async waitFor(pred, timeoutMs = 5000, what = 'a message') {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = 0; i < this.messages.length; i++) {
        const m = this.messages[i];
        if (m && !m.__taken && pred(m)) {
          Object.defineProperty(m, '__taken', { value: true, enumerable: false });
          return m;
        }
      }
      if (this.closed) {
        throw new Error(
          `${this.label}: closed (${this.closed.code} ${this.closed.reason}) while waiting for ${what}; got ${this.dump()}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.label}: timed out after ${timeoutMs} ms waiting for ${what}; got ${this.dump()}`);
      await Promise.race([this._changed(), delay(Math.min(left, 250))]);
    }
  }

  waitType(type, pred = () => true, timeoutMs = 5000) {
    return this.waitFor((m) => m.type === type && pred(m), timeoutMs, `type ${type}`);
  }

  // Resolves with {code, reason} once closed; throws after timeoutMs.
  async waitClose(timeoutMs = 5000) {
    return withTimeout(this.closedPromise, timeoutMs, `${this.label} to be closed`);
  }

  // Assert no (untaken) message matching pred arrives within quietMs.
  async expectNone(pred, quietMs = 500, what = 'unexpected message') {
    const deadline = Date.now() + quietMs;
    for (;;) {
      const bad = this.messages.find((m) => !m.__taken && pred(m));
      if (bad) throw new Error(`${this.label}: got ${what}: ${JSON.stringify(bad)}`);
      const left = deadline - Date.now();
      if (left <= 0) return;
      await Promise.race([this._changed(), delay(Math.min(left, 100))]);
    }
  }

  // Mark every message received so far as taken: later waits only see what arrives next.
  skipAll() {
    for (const m of this.messages) {
      if (m && typeof m === 'object' && !m.__taken) Object.defineProperty(m, '__taken', { value: true, enumerable: false });
    }
  }

  // Messages seen (matching pred), taken or not.
  seen(pred = () => true) {
    return this.messages.filter(pred);
  }

  dump() {
    const s = JSON.stringify(this.messages.map((m) => ({ ...m, call: m.call ? { id: m.call.id, state: m.call.state } : undefined })));
    return s.length > 1500 ? `${s.slice(0, 1500)}...` : s;
  }

  async hello(token, timeoutMs = 5000) {
    await this.opened;
    this.send({ type: 'hello', token });
    return this.waitType('welcome', () => true, timeoutMs);
  }

  async ping(timeoutMs = 3000) {
    this.send({ type: 'ping' });
    return this.waitType('pong', () => true, timeoutMs);
  }

  close() {
    if (!this.closed) this.ws.close(1000, 'bye');
    return this.closedPromise;
  }

  terminate() {
    this.ws.terminate();
    return this.closedPromise;
  }
}

export async function openWs(srv, o = {}) {
  const w = new Ws(srv, o);
  await withTimeout(w.opened, 5000, `${w.label} to open`);
  return w;
}

// Open a WebSocket for u and say hello. Returns the Ws (with .welcome).
export async function connectUser(srv, u, o = {}) {
  const w = await openWs(srv, { label: o.label ?? `${u.role}:${u.id}`, ...o });
  w.welcome = await w.hello(u.token);
  w.user = u;
  return w;
}

// A staff member ready to be rung: WS open + hello + PUT available.
export async function readyStaff(srv, u, o = {}) {
  const w = await connectUser(srv, u, o);
  const r = await request(srv, 'PUT', '/v1/staff/me/availability', { token: u.token, body: { status: 'available' } });
  expectStatus(r, 200);
  return w;
}

export async function setStatus(srv, u, status) {
  const r = await request(srv, 'PUT', '/v1/staff/me/availability', { token: u.token, body: { status } });
  expectStatus(r, 200);
  return r.body;
}

export async function createCall(srv, u, body = {}, headers = {}) {
  const r = await request(srv, 'POST', '/v1/calls', { token: u.token, body, headers });
  expectStatus(r, 201);
  return r.body;
}

export async function getCall(srv, u, id) {
  const r = await request(srv, 'GET', `/v1/calls/${encodeURIComponent(id)}`, { token: u.token });
  expectStatus(r, 200);
  return r.body;
}

export async function action(srv, u, id, verb, body) {
  return request(srv, 'POST', `/v1/calls/${encodeURIComponent(id)}/${verb}`, { token: u.token, body: body ?? {} });
}

export async function availability(srv, u) {
  const r = await request(srv, 'GET', '/v1/staff/availability', { token: u.token });
  expectStatus(r, 200);
  return r.body.staff;
}

export async function listAll(srv, u, query = '') {
  const r = await request(srv, 'GET', `/v1/calls${query}`, { token: u.token });
  expectStatus(r, 200);
  return r.body;
}

export function newRequestId() {
  return randomUUID();
}

// Run every row of a table, collecting failures, so one report names every wrong row.
export async function everyRow(rows, fn) {
  const failures = [];
  for (const row of rows) {
    try {
      await fn(row);
    } catch (e) {
      failures.push(`${Array.isArray(row) ? row[0] : JSON.stringify(row)}: ${e.message.split('\n')[0].slice(0, 300)}`);
    }
  }
  if (failures.length) assert.fail(`${failures.length} of ${rows.length} rows failed:\n  ${failures.join('\n  ')}`);
}

// Wrap a test body: when it throws, print the last log lines of the given servers.
export function withLogs(getServers, fn) {
  return async (t) => {
    try {
      return await fn(t);
    } catch (e) {
      for (const s of [].concat(getServers()).filter((x) => x && x.logs.length)) {
        console.error(`--- last log lines of switchboard #${s.n} (port ${s.port}) ---\n${s.logs.slice(-30).join('\n')}`);
      }
      throw e;
    }
  };
}
