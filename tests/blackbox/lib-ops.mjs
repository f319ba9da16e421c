// Helpers for the operations tests (11 metrics, 12 webhooks, 13 quality): Prometheus text parsing,
// request counting by route template, a recording webhook receiver, and call drivers that go
// through srv.request (so a counting wrapper sees every request).

import http from 'node:http';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import assert from 'node:assert/strict';
import { connectUser, expectStatus, withTimeout, delay } from './lib/harness.mjs';

// ---------------------------------------------------------------------------------------------
// Prometheus text exposition

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const LABELS = `\\{(?:${LABEL_NAME}=${LABEL_VALUE}(?:,${LABEL_NAME}=${LABEL_VALUE})*,?)?\\}`;
const NUMBER = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?Inf|NaN)';
export const SAMPLE_LINE = new RegExp(`^(${NAME})(${LABELS})? (${NUMBER})(?: (-?\\d+))?$`);
const COMMENT_LINE = /^#(?: (?:HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]*(?: .*)?| .*)?$/;

function unescapeLabel(v) {
  return v.replace(/\\(["\\n])/g, (_, c) => (c === 'n' ? '\n' : c));
}

function parseLabels(s) {
  const out = {};
  if (!s) return out;
  const re = new RegExp(`(${LABEL_NAME})=(${LABEL_VALUE})`, 'g');
  let m;
  while ((m = re.exec(s)) !== null) out[m[1]] = unescapeLabel(m[2].slice(1, -1));
  return out;
}

// Parse the whole exposition. Returns {samples: [{name, labels, value, line}], types: {name: type},
// bad: [lines that are neither a comment nor a sample]}.
export function parseMetrics(text) {
  const samples = [];
  const types = {};
  const bad = [];
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (line.startsWith('#')) {
      if (!COMMENT_LINE.test(line)) bad.push(line);
      const t = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (t) types[t[1]] = t[2];
      continue;
    }
    const m = SAMPLE_LINE.exec(line);
    if (!m) {
      bad.push(line);
      continue;
    }
    const raw = m[3];
    const value = raw === '+Inf' || raw === 'Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    samples.push({ name: m[1], labels: parseLabels(m[2]), value, line });
  }
  return { samples, types, bad };
}

export class Metrics {
  constructor(text) {
    this.text = text;
    Object.assign(this, parseMetrics(text));
  }

  // Every series of `name` whose labels include all of `labels`.
  series(name, labels = {}) {
    return this.samples.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === String(v)),
    );
  }

  // The value of the one series of `name` with exactly these labels (undefined when absent).
  exact(name, labels = {}) {
    const want = Object.keys(labels).length;
    const found = this.series(name, labels).filter((s) => Object.keys(s.labels).length === want);
    assert.ok(found.length <= 1, `several series of ${name}${JSON.stringify(labels)}`);
    return found.length ? found[0].value : undefined;
  }

  // Sum over the series matching the labels (0 when none).
  sum(name, labels = {}) {
    return this.series(name, labels).reduce((a, s) => a + s.value, 0);
  }

  // Compact {labelsJSON: value} map of a metric, for messages.
  table(name) {
    const o = {};
    for (const s of this.series(name)) o[JSON.stringify(s.labels)] = s.value;
    return o;
  }
}

export async function scrape(srv) {
  const res = await fetch(`${srv.base}/metrics`, { signal: AbortSignal.timeout(10000) });
  assert.equal(res.status, 200, 'GET /metrics answers 200');
  const text = await res.text();
  const m = new Metrics(text);
  m.contentType = res.headers.get('content-type');
  return m;
}

// Run `promtool check metrics` with the exposition on stdin. Resolves {code, stdout, stderr}.
export function promtoolCheck(text, binary = '/usr/bin/promtool') {
  return withTimeout(
    new Promise((resolve, reject) => {
      const p = spawn(binary, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('error', reject);
      p.on('close', (code) => resolve({ code, stdout, stderr }));
      p.stdin.end(text);
    }),
    30000,
    'promtool check metrics',
  );
}

// ---------------------------------------------------------------------------------------------
// Request counting

// The route template the server should use for a path (docs/metrics.md), or null when unsure.
export function routeOf(path) {
  const p = path.split('?')[0];
  if (p === '/metrics') return 'metrics';
  if (p === '/healthz' || p === '/readyz') return 'health';
  if (p === '/v1/calls') return '/v1/calls';
  let m = /^\/v1\/calls\/[^/]+$/.exec(p);
  if (m) return '/v1/calls/{id}';
  m = /^\/v1\/calls\/[^/]+\/([a-z_]+)$/.exec(p);
  if (m) return `/v1/calls/{id}/${m[1]}`;
  if (['/v1/staff/availability', '/v1/staff/me/availability', '/v1/ice-servers', '/v1/ops/summary'].includes(p)) return p;
  return null;
}

// Wrap srv.request so every request it makes is counted as {route: {status: n}}.
export function countRequests(srv) {
  const counts = {};
  const orig = srv.request;
  srv.request = async (method, path, o) => {
    const r = await orig(method, path, o);
    const route = routeOf(path) ?? `?${path}`;
    counts[route] ??= {};
    counts[route][r.status] = (counts[route][r.status] ?? 0) + 1;
    return r;
  };
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Call drivers through srv.request

export async function ready(srv, u, o = {}) {
  const w = await connectUser(srv, u, o);
  expectStatus(await srv.request('PUT', '/v1/staff/me/availability', { token: u.token, body: { status: 'available' } }), 200);
  return w;
}

export async function create(srv, u, body = {}) {
  const r = await srv.request('POST', '/v1/calls', { token: u.token, body });
  expectStatus(r, 201);
  return r.body;
}

export function act(srv, u, id, verb, body) {
  return srv.request('POST', `/v1/calls/${encodeURIComponent(id)}/${verb}`, { token: u.token, body: body ?? {} });
}

export async function actOk(srv, u, id, verb, body, status = 200) {
  const r = await act(srv, u, id, verb, body);
  expectStatus(r, status);
  return r.body;
}

export async function get(srv, u, id) {
  const r = await srv.request('GET', `/v1/calls/${encodeURIComponent(id)}`, { token: u.token });
  expectStatus(r, 200);
  return r.body;
}

// Wait for the call.updated with `state` for call `id` on a WebSocket (bounded).
export function updated(ws, id, state, timeoutMs = 8000) {
  return ws.waitFor((m) => m.type === 'call.updated' && m.call?.id === id && m.call.state === state, timeoutMs,
    `call.updated ${id} ${state}`);
}

export function incoming(ws, id, timeoutMs = 5000) {
  return ws.waitFor((m) => m.type === 'call.incoming' && m.call?.id === id, timeoutMs, `call.incoming ${id}`);
}

// ---------------------------------------------------------------------------------------------
// Webhook receiver

// A loopback HTTP server that records every request. mode: 'up' (200), '503' (503), 'close'
// (destroys the socket without answering). Each record: {n, at, method, url, headers, raw,
// answered (status or 'closed')}.
export async function startReceiver({ mode = 'up', path = '/hook' } = {}) {
  const rec = {
    mode,
    path,
    requests: [],
    waiters: [],
    sockets: new Set(),
  };
  const wake = () => {
    const ws = rec.waiters;
    rec.waiters = [];
    for (const w of ws) w();
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const r = {
        n: rec.requests.length,
        at: Date.now(),
        method: req.method,
        url: req.url,
        headers: { ...req.headers },
        raw: Buffer.concat(chunks).toString('utf8'),
        answered: null,
      };
      rec.requests.push(r);
      if (rec.mode === 'close') {
        r.answered = 'closed';
        req.socket.destroy();
      } else if (rec.mode === '503') {
        r.answered = 503;
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('down');
      } else {
        r.answered = 200;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      }
      wake();
    });
  });
  server.on('connection', (s) => {
    rec.sockets.add(s);
    s.on('close', () => rec.sockets.delete(s));
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  rec.port = server.address().port;
  rec.url = `http://127.0.0.1:${rec.port}${path}`;
  rec.setMode = (m) => {
    rec.mode = m;
  };
  // Resolve with pred's truthy value once it holds (checked after every request), bounded.
  rec.waitUntil = async (pred, timeoutMs, what) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = pred(rec.requests);
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`receiver: timed out after ${timeoutMs} ms waiting for ${what}`);
      await Promise.race([new Promise((r) => rec.waiters.push(r)), delay(Math.min(left, 500))]);
    }
  };
  rec.stop = async () => {
    for (const s of rec.sockets) s.destroy();
    await new Promise((r) => server.close(r));
  };
  return rec;
}

// Check a Switchboard-Signature header against the raw body. Returns {t, v1} or throws.
export function verifySignature(header, raw, secret) {
  assert.ok(typeof header === 'string', 'Switchboard-Signature header present');
  const parts = Object.fromEntries(header.split(',').map((kv) => {
    const i = kv.indexOf('=');
    return [kv.slice(0, i).trim(), kv.slice(i + 1).trim()];
  }));
  assert.match(parts.t ?? '', /^\d+$/, `t is a unix time: ${header}`);
  assert.match(parts.v1 ?? '', /^[0-9a-f]{64}$/, `v1 is 64 lowercase hex: ${header}`);
  const want = createHmac('sha256', secret).update(`${parts.t}.${raw}`).digest('hex');
  assert.equal(parts.v1, want, `signature verifies over "<t>.<raw body>": ${header}`);
  return { t: Number(parts.t), v1: parts.v1 };
}

// Fail with the exit status and the last stderr lines when the server process has died (waits up
// to graceMs for the exit to be noticed: a failed request often comes just before it).
export async function assertAlive(srv, when = '', graceMs = 1000) {
  if (srv.exited === null) {
    await Promise.race([new Promise((r) => srv.proc.once('exit', r)), delay(graceMs)]);
  }
  if (srv.exited === null) return;
  const err = srv.logs.filter((l) => l.startsWith('[stderr]')).slice(-5).join('\n');
  assert.fail(`switchboard #${srv.n} died ${when}: ${JSON.stringify(srv.exited)}\n${err}`);
}
