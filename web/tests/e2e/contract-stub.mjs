#!/usr/bin/env node
// A small in-memory stand-in for the Switchboard server, written from CONTRACT.md, for front-end
// work when build/switchboard is not at hand. It is NOT the product: it exists so the pages can be
// driven and looked at early. The e2e suite runs against it only with SWITCHBOARD_BIN pointing here
// (`node tests/e2e/contract-stub.mjs` takes the same flags the e2e runner passes to the server).
import { createServer } from 'node:http';
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, extname, resolve } from 'node:path';
import { WebSocketServer } from 'ws';

const argv = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const dur = (s) => {
  const m = /^(\d+)(ms|s|m|h)$/.exec(s);
  if (!m) throw new Error(`bad duration ${s}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2]];
};
const [host, port] = flag('listen', '127.0.0.1:8080').split(':');
const webRoot = resolve(flag('web-root', 'web/dist'));
const ringTimeout = dur(flag('ring-timeout', '45s'));
const dev = argv.includes('--dev');
const stunUrls = flag('stun-urls', '')?.split(',').filter(Boolean) ?? [];
const turnUrls = flag('turn-urls', '')?.split(',').filter(Boolean) ?? [];
const turnSecret = flag('turn-secret', '');

const calls = new Map(); // id -> call (+ hidden fields)
const staff = new Map(); // `${org}/${id}` -> entry
const sockets = new Map(); // `${org}/${id}` -> Set<ws>
const now = () => new Date().toISOString();

const b64u = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
function claimsOf(token) {
  try {
    const c = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    return c.exp * 1000 > Date.now() ? c : null;
  } catch {
    return null;
  }
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'X-Request-Id': randomUUID(),
    Date: new Date().toUTCString(),
    ...headers,
  });
  res.end(body === undefined ? '' : JSON.stringify(body));
}
const fail = (res, status, code, message, details) =>
  send(res, status, {
    error: {
      code,
      message,
      retryable: code === 'no_staff_available' || code === 'unavailable',
      ...(details ? { details } : {}),
    },
  });

const pub = (c) => {
  const { rung, declined, timer, ...rest } = c;
  void rung;
  void declined;
  void timer;
  return rest;
};
function push(key, msg) {
  for (const ws of sockets.get(key) ?? []) ws.send(JSON.stringify(msg));
}
function announce(c) {
  const keys = new Set([`${c.org_id}/${c.caller.id}`, ...c.rung.map((s) => `${c.org_id}/${s}`)]);
  for (const k of keys) push(k, { type: 'call.updated', call: pub(c) });
}
function setStaff(org, id, patch) {
  const key = `${org}/${id}`;
  const e = staff.get(key);
  if (!e) return;
  Object.assign(e, patch, { since: now() });
  for (const [k, set] of sockets) {
    if (!k.startsWith(`${org}/`)) continue;
    for (const ws of set)
      if (ws.user.role !== 'client')
        ws.send(JSON.stringify({ type: 'availability.updated', staff: e }));
  }
}
function transition(c, state, extra = {}) {
  Object.assign(c, { state, version: c.version + 1 }, extra);
  if (['cancelled', 'missed', 'declined', 'failed', 'ended'].includes(state)) {
    c.ended_at = now();
    clearTimeout(c.timer);
    for (const s of c.rung) {
      const e = staff.get(`${c.org_id}/${s}`);
      if (e && (e.call_id === c.id || e.state === 'ringing'))
        setStaff(c.org_id, s, { state: 'idle', call_id: null });
    }
  }
  announce(c);
}
function iceServers(sub) {
  const list = [];
  if (stunUrls.length) list.push({ urls: stunUrls });
  if (turnUrls.length && turnSecret) {
    const username = `${Math.floor(Date.now() / 1000) + 3600}:${sub}`;
    list.push({
      urls: turnUrls,
      username,
      credential: createHmac('sha1', turnSecret).update(username).digest('base64'),
    });
  }
  return { ice_servers: list, expires_at: new Date(Date.now() + 3600_000).toISOString() };
}

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const t = Buffer.concat(chunks).toString();
  return t ? JSON.parse(t) : {};
}

const MIME = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wav': 'audio/wav',
  '.map': 'application/json',
};

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const path = url.pathname;
  if (path === '/healthz' || path === '/readyz') return send(res, 200, { ok: true });
  if (!path.startsWith('/v1')) {
    let file = join(webRoot, path);
    if (!file.startsWith(webRoot) || !existsSync(file) || statSync(file).isDirectory())
      file = join(webRoot, 'index.html');
    res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
    return res.end(readFileSync(file));
  }
  let b;
  try {
    b = req.method === 'GET' ? {} : await body(req);
  } catch {
    return fail(res, 400, 'invalid_request', 'Malformed JSON.');
  }
  if (path === '/v1/dev/token' && req.method === 'POST') {
    if (!dev) return fail(res, 404, 'not_found', 'Not found.');
    const claims = { ...b, exp: Math.floor(Date.now() / 1000) + 3600 };
    return send(res, 200, { token: `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u(claims)}.stub` });
  }
  const me = claimsOf((req.headers.authorization ?? '').replace(/^Bearer /, ''));
  if (!me) return fail(res, 401, 'unauthenticated', 'Please sign in again.');
  const org = me.org;
  const m = /^\/v1\/calls\/([^/]+)(?:\/(\w+))?$/.exec(path);
  if (path === '/v1/calls' && req.method === 'POST') {
    if (me.role !== 'client') return fail(res, 403, 'forbidden', 'Only clients call.');
    const rung = [...staff.values()].filter(
      (e) =>
        e.org === org &&
        e.status === 'available' &&
        sockets.get(`${org}/${e.id}`)?.size &&
        ['idle', 'ringing'].includes(e.state),
    );
    if (!rung.length) return fail(res, 409, 'no_staff_available', 'Nobody is available.');
    const c = {
      id: randomUUID(),
      org_id: org,
      state: 'ringing',
      version: 1,
      caller: { id: me.sub, name: me.name },
      staff: null,
      media: b.media ?? { audio: true, video: true },
      metadata: b.metadata ?? {},
      created_at: now(),
      ring_deadline: new Date(Date.now() + ringTimeout).toISOString(),
      accepted_at: null,
      active_at: null,
      ended_at: null,
      end_reason: null,
      rung: rung.map((e) => e.id),
      declined: new Set(),
    };
    calls.set(c.id, c);
    c.timer = setTimeout(
      () => c.state === 'ringing' && transition(c, 'missed', { end_reason: 'timeout' }),
      ringTimeout,
    );
    for (const e of rung) {
      setStaff(org, e.id, { state: 'ringing' });
      push(`${org}/${e.id}`, { type: 'call.incoming', call: pub(c) });
    }
    return send(res, 201, pub(c));
  }
  if (path === '/v1/calls' && req.method === 'GET') {
    const list = [...calls.values()]
      .filter((c) => c.org_id === org && (me.role !== 'client' || c.caller.id === me.sub))
      .sort((a, z) => z.created_at.localeCompare(a.created_at))
      .slice(0, Number(url.searchParams.get('limit') ?? 20));
    return send(res, 200, { calls: list.map(pub), next: null });
  }
  if (m) {
    const c = calls.get(m[1]);
    if (!c || c.org_id !== org) return fail(res, 404, 'not_found', 'No such call.');
    const action = m[2];
    const isCaller = c.caller.id === me.sub;
    const isStaff = c.staff?.id === me.sub;
    const bad = () => fail(res, 409, 'invalid_transition', 'Not now.', { state: c.state });
    if (!action && req.method === 'GET') return send(res, 200, pub(c));
    switch (action) {
      case 'accept':
        if (isStaff) return send(res, 200, pub(c));
        if (c.state !== 'ringing')
          return c.state === 'accepted' || c.state === 'active'
            ? fail(res, 409, 'call_already_taken', 'Taken.')
            : bad();
        if (!c.rung.includes(me.sub)) return fail(res, 403, 'forbidden', 'Not rung.');
        clearTimeout(c.timer);
        transition(c, 'accepted', { staff: { id: me.sub, name: me.name }, accepted_at: now() });
        for (const s of c.rung) if (s !== me.sub) setStaff(org, s, { state: 'idle' });
        setStaff(org, me.sub, { state: 'in_call', call_id: c.id });
        for (const k of [`${org}/${c.caller.id}`, `${org}/${me.sub}`])
          push(k, { type: 'ice_servers', ...iceServers(me.sub) });
        return send(res, 200, pub(c));
      case 'decline':
        if (c.state !== 'ringing') return bad();
        c.declined.add(me.sub);
        setStaff(org, me.sub, { state: 'idle' });
        if (c.rung.every((s) => c.declined.has(s)))
          transition(c, 'declined', { end_reason: 'all_declined' });
        return send(res, 200, pub(c));
      case 'cancel':
        if (!isCaller) return fail(res, 403, 'forbidden', 'Not yours.');
        if (c.state !== 'ringing') return bad();
        transition(c, 'cancelled', { end_reason: 'caller_cancelled' });
        return send(res, 200, pub(c));
      case 'connected':
        if (!isCaller && !isStaff) return fail(res, 403, 'forbidden', 'Not a participant.');
        if (c.state === 'accepted') transition(c, 'active', { active_at: now() });
        else if (c.state !== 'active') return bad();
        return send(res, 200, pub(c));
      case 'end':
        if (!isCaller && !isStaff) return fail(res, 403, 'forbidden', 'Not a participant.');
        if (c.state === 'accepted' && b.reason) transition(c, 'failed', { end_reason: b.reason });
        else if (c.state === 'accepted' || c.state === 'active')
          transition(c, 'ended', { end_reason: 'hangup' });
        else return bad();
        return send(res, 200, pub(c));
      case 'quality':
        return send(res, 202, undefined);
      case 'feedback':
        if (!c.ended_at) return bad();
        return send(res, 200, { ok: true });
      default:
        return fail(res, 404, 'not_found', 'No such route.');
    }
  }
  if (path === '/v1/staff/availability')
    return send(res, 200, { staff: [...staff.values()].filter((e) => e.org === org) });
  if (path === '/v1/staff/me/availability' && req.method === 'PUT') {
    if (!['available', 'away', 'offline'].includes(b.status))
      return fail(res, 400, 'invalid_request', 'Bad status.');
    setStaff(org, me.sub, { status: b.status });
    return send(res, 200, staff.get(`${org}/${me.sub}`));
  }
  if (path === '/v1/ice-servers') return send(res, 200, iceServers(me.sub));
  return fail(res, 404, 'not_found', 'No such route.');
});

const wss = new WebSocketServer({ server, path: '/v1/ws' });
wss.on('connection', (ws) => {
  const helloTimer = setTimeout(() => ws.close(4001, 'no hello'), 5000);
  ws.on('message', (raw) => {
    let msg;
    try {
      msg = JSON.parse(String(raw));
    } catch {
      return ws.close(4400, 'malformed');
    }
    if (!ws.user) {
      const c = msg.type === 'hello' ? claimsOf(msg.token) : null;
      if (!c) return ws.close(4001, 'unauthenticated');
      clearTimeout(helloTimer);
      ws.user = c;
      const key = `${c.org}/${c.sub}`;
      if (!sockets.has(key)) sockets.set(key, new Set());
      sockets.get(key).add(ws);
      if (c.role !== 'client' && !staff.has(key))
        staff.set(key, {
          org: c.org,
          id: c.sub,
          name: c.name,
          status: 'away',
          state: 'idle',
          connected: true,
          since: now(),
          call_id: null,
        });
      if (c.role !== 'client') setStaff(c.org, c.sub, { connected: true });
      const live = [...calls.values()].filter(
        (x) =>
          x.org_id === c.org &&
          !x.ended_at &&
          (x.caller.id === c.sub ||
            x.staff?.id === c.sub ||
            (x.state === 'ringing' && x.rung.includes(c.sub))),
      );
      ws.send(
        JSON.stringify({
          type: 'welcome',
          session: randomUUID(),
          user: { id: c.sub, org: c.org, role: c.role, name: c.name },
          calls: live.map(pub),
        }),
      );
      return;
    }
    if (msg.type === 'ping') return ws.send(JSON.stringify({ type: 'pong' }));
    if (msg.type === 'signal') {
      const c = calls.get(msg.call_id);
      const u = ws.user;
      if (
        !c ||
        !['accepted', 'active'].includes(c.state) ||
        (c.caller.id !== u.sub && c.staff?.id !== u.sub)
      )
        return ws.send(
          JSON.stringify({
            type: 'error',
            code: 'invalid_transition',
            message: 'No such live call.',
            ref: msg.seq,
          }),
        );
      const other = c.caller.id === u.sub ? c.staff.id : c.caller.id;
      push(`${c.org_id}/${other}`, {
        type: 'signal',
        call_id: c.id,
        from: u.sub,
        kind: msg.kind,
        data: msg.data,
        seq: msg.seq,
      });
      return;
    }
    ws.send(
      JSON.stringify({
        type: 'error',
        code: 'invalid_request',
        message: 'Unknown type.',
        ref: msg.seq,
      }),
    );
  });
  ws.on('close', () => {
    clearTimeout(helloTimer);
    if (!ws.user) return;
    const key = `${ws.user.org}/${ws.user.sub}`;
    sockets.get(key)?.delete(ws);
    if (ws.user.role !== 'client' && !sockets.get(key)?.size)
      setStaff(ws.user.org, ws.user.sub, { connected: false });
  });
});

server.listen(Number(port), host, () =>
  console.log(`contract stub on http://${host}:${port} (web root ${webRoot})`),
);
process.on('SIGTERM', () => process.exit(0));
