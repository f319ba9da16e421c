// Issue 13: the API descriptions match the server. Every operation of docs/openapi.yaml is
// called for real (the happy path, and the documented errors that are cheap to cause); each
// answer's status must be one the document lists for that operation, its body must validate
// against the documented schema (ajv, with every documented object closed, so an undocumented
// field fails too) and its required headers must be there. Every documented path answers its
// method with something other than 404. The webhook deliveries validate against `webhooks:`,
// and every WebSocket message seen validates against docs/asyncapi.yaml.
// ajv and yaml come from tools/api-docs (its own lockfile; scripts/test-blackbox.sh installs it).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  REPO, startServer, user, connectUser, readyStaff, uniq, withLogs,
} from './lib/harness.mjs';
import { startReceiver, verifySignature } from './lib-ops.mjs';

const toolsRequire = createRequire(join(REPO, 'tools', 'api-docs', 'package.json'));
const Ajv2020 = toolsRequire('ajv/dist/2020').default;
const addFormats = toolsRequire('ajv-formats').default;
const YAML = toolsRequire('yaml');

const OPENAPI = YAML.parse(readFileSync(join(REPO, 'docs', 'openapi.yaml'), 'utf8'));
const ASYNCAPI = YAML.parse(readFileSync(join(REPO, 'docs', 'asyncapi.yaml'), 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const SCHEMA_BASE = 'https://switchboard.invalid/openapi/schemas/';
const ASYNC_BASE = 'https://switchboard.invalid/asyncapi/schemas/';

// ---------------------------------------------------------------------------------------------
// The documents as ajv schemas

// A deep copy with the documents' $refs turned into ajv schema ids, and every object schema
// that lists its properties (and says nothing of others) closed with unevaluatedProperties, so a
// field the server sends but the document does not name fails. Branches of allOf (and all
// within them) stay open: they only narrow the closed schema they sit next to.
function toAjv(node, localBase, inAllOf = false) {
  if (Array.isArray(node)) return node.map((n) => toAjv(n, localBase, inAllOf));
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref') {
      out.$ref = v
        .replace(/^\.\/openapi\.yaml#\/components\/schemas\//, SCHEMA_BASE)
        .replace(/^#\/components\/schemas\//, localBase);
    } else if (k === 'allOf') {
      out.allOf = v.map((branch) => toAjv(branch, localBase, true));
    } else if (k === 'properties') {
      out.properties = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, toAjv(s, localBase, inAllOf)]));
    } else {
      out[k] = toAjv(v, localBase, inAllOf);
    }
  }
  const closable = out.properties && !('additionalProperties' in out) && !('unevaluatedProperties' in out);
  if (closable && !inAllOf) out.unevaluatedProperties = false;
  return out;
}

const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strictTypes: false });
addFormats(ajv);
for (const [name, schema] of Object.entries(OPENAPI.components.schemas)) {
  ajv.addSchema({ $id: SCHEMA_BASE + name, ...toAjv(schema, SCHEMA_BASE) });
}
for (const [name, schema] of Object.entries(ASYNCAPI.components.schemas)) {
  ajv.addSchema({ $id: ASYNC_BASE + name, ...toAjv(schema, ASYNC_BASE) });
}

function validator(schema, localBase = SCHEMA_BASE) {
  return ajv.compile(toAjv(schema, localBase));
}

function assertValid(validate, value, what) {
  if (!validate(value)) {
    const errors = validate.errors.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
    assert.fail(`${what} does not match the document:\n  ${errors.join('\n  ')}\n  body: ${JSON.stringify(value).slice(0, 600)}`);
  }
}

function resolveLocal(doc, node) {
  let n = node;
  while (n && n.$ref && n.$ref.startsWith('#/')) {
    n = n.$ref.slice(2).split('/').reduce((o, k) => o[k.replaceAll('~1', '/').replaceAll('~0', '~')], doc);
  }
  return n;
}

// Every documented operation: {method, path, op}.
const OPERATIONS = Object.entries(OPENAPI.paths).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path, op: item[m] })));

// ---------------------------------------------------------------------------------------------
// Checking one real answer against the document

const checked = new Map(); // "METHOD path" -> Set of statuses seen
const compiled = new Map();

function compiledFor(key, schema) {
  if (!compiled.has(key)) compiled.set(key, validator(schema));
  return compiled.get(key);
}

// res: the harness's {status, headers, body, text, method, path}; template: the documented path.
function conforms(res, template) {
  const key = `${res.method} ${template}`;
  const item = OPENAPI.paths[template];
  assert.ok(item, `${template} is not a documented path`);
  const op = item[res.method.toLowerCase()];
  assert.ok(op, `${key} is not a documented operation`);
  const status = String(res.status);
  const documented = op.responses[status] ?? op.responses[`${status[0]}XX`] ?? op.responses.default;
  assert.ok(documented, `${key} answered ${res.status}, which the document does not list (${Object.keys(op.responses).join(', ')}): ${res.text.slice(0, 300)}`);
  const response = resolveLocal(OPENAPI, documented);
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    if (resolveLocal(OPENAPI, header).required) {
      assert.ok(res.headers.get(name), `${key} ${res.status}: header ${name} is documented as required but missing`);
    }
  }
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  if (response.content) {
    const media = response.content[contentType];
    assert.ok(media, `${key} ${res.status}: content type ${contentType} is not one of ${Object.keys(response.content).join(', ')}`);
    if (contentType === 'application/json') {
      assertValid(compiledFor(`${key} ${status}`, media.schema), res.body, `${key} ${res.status}`);
    }
  }
  if (!checked.has(key)) checked.set(key, new Set());
  checked.get(key).add(res.status);
  return res.body;
}

// Calls srv and checks the answer; `expect` (a status) makes the test's intent explicit.
async function call(srv, method, template, { params = {}, query = '', expect, ...o } = {}) {
  const path = template.replace(/\{(\w+)\}/g, (_, p) => encodeURIComponent(params[p])) + query;
  const res = await srv.request(method, path, o);
  if (expect !== undefined) assert.equal(res.status, expect, `${method} ${path}: expected ${expect}, got ${res.status} ${res.text.slice(0, 300)}`);
  conforms(res, template);
  return res;
}

// ---------------------------------------------------------------------------------------------
// WebSocket messages against the AsyncAPI document

// Server → browser payload schemas by `type`: what the server sends, and its replies.
function serverMessageSchemas() {
  const byType = new Map();
  const add = (ref) => {
    const message = resolveLocal(ASYNCAPI, resolveLocal(ASYNCAPI, ref));
    const payload = resolveLocal(ASYNCAPI, message.payload);
    byType.set(payload.properties.type.const, message.payload);
  };
  for (const op of Object.values(ASYNCAPI.operations)) {
    if (op.action === 'send') op.messages.forEach(add);
    if (op.reply) op.reply.messages.forEach(add);
  }
  return byType;
}
const SERVER_MESSAGES = serverMessageSchemas();
const wsValidators = new Map();
const typesSeen = new Set();

function messageConforms(m, where) {
  const schema = SERVER_MESSAGES.get(m.type);
  assert.ok(schema, `${where}: message type ${JSON.stringify(m.type)} is not in docs/asyncapi.yaml`);
  if (!wsValidators.has(m.type)) wsValidators.set(m.type, validator(schema, ASYNC_BASE));
  assertValid(wsValidators.get(m.type), m, `${where}: WebSocket ${m.type}`);
  typesSeen.add(m.type);
}

// What the test sends over the WebSocket is checked against the browser → server schemas.
const clientValidators = Object.fromEntries(
  ['Hello', 'Ping', 'SignalToServer', 'Subscribe', 'Unsubscribe'].map((n) => [n, ajv.getSchema(ASYNC_BASE + n)]));
function sendChecked(ws, schemaName, message) {
  assertValid(clientValidators[schemaName], message, `sent ${schemaName}`);
  ws.send(message);
}

// ---------------------------------------------------------------------------------------------
// The scenario

const WEBHOOK_SECRET = `whsec-${uniq('s')}-0123456789abcdef`;
let srv;
let limited;
let receiver;
let webRoot;
const sockets = [];
const org = uniq('org');
const otherOrg = uniq('org');
const caller = user(org, 'client', uniq('caller'));
const caller2 = user(org, 'client', uniq('caller'));
const s1 = user(org, 'staff', uniq('ana'));
const s2 = user(org, 'staff', uniq('bo'));
const admin = user(org, 'admin', uniq('ada'));
const stranger = user(otherOrg, 'admin', uniq('eve'));
let ids = {};

before(async () => {
  receiver = await startReceiver();
  webRoot = mkdtempSync(join(tmpdir(), 'sb-openapi-web-'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>switchboard</title>');
  srv = await startServer([
    '--dev', '--web-root', webRoot, '--ring-timeout', '60s', '--connect-timeout', '60s',
    '--board-interval', '100ms',
    '--stun-urls', 'stun:127.0.0.1:3478', '--turn-urls', 'turn:127.0.0.1:3478?transport=udp',
    '--turn-secret', 'openapi-turn-secret',
    '--webhook-url', receiver.url, '--webhook-secret', WEBHOOK_SECRET,
  ]);
});

after(async () => {
  await srv?.stop();
  await limited?.stop();
  await receiver?.stop();
  if (webRoot) rmSync(webRoot, { recursive: true, force: true });
});

const L = (fn) => withLogs(() => [srv, limited].filter(Boolean), fn);

test('health, readiness, metrics and the front end answer as documented', L(async () => {
  await call(srv, 'GET', '/healthz', { expect: 200 });
  await call(srv, 'GET', '/readyz', { expect: 200 });
  await call(srv, 'GET', '/metrics', { expect: 200 });
  await call(srv, 'GET', '/', { expect: 200 });
}));

// With --dev and --jwt-secret, dev tokens are signed with that secret, so the API takes them.
test('the dev sign-in mints a token the API takes; a bad body is 400', L(async () => {
  const minted = await call(srv, 'POST', '/v1/dev/token', { body: { org, sub: uniq('dev'), role: 'staff' }, expect: 200 });
  await call(srv, 'GET', '/v1/ice-servers', { token: minted.body.token, expect: 200 });
  await call(srv, 'POST', '/v1/dev/token', { body: { org, role: 'nobody' }, expect: 400 });
}));

test('a call from create to feedback: every call operation and its documented refusals', L(async () => {
  const w1 = await readyStaff(srv, s1, { label: 's1' });
  const w2 = await readyStaff(srv, s2, { label: 's2' });
  const wc = await connectUser(srv, caller, { label: 'caller' });
  sockets.push(w1, w2, wc);

  await call(srv, 'PUT', '/v1/staff/me/availability', { token: s2.token, body: { status: 'available' }, expect: 200 });
  await call(srv, 'PUT', '/v1/staff/me/availability', { token: s2.token, body: { status: 'busy' }, expect: 400 });
  await call(srv, 'PUT', '/v1/staff/me/availability', { token: caller.token, body: { status: 'away' }, expect: 403 });
  await call(srv, 'GET', '/v1/staff/availability', { token: s1.token, expect: 200 });
  await call(srv, 'GET', '/v1/staff/availability', { token: caller.token, expect: 403 });

  await call(srv, 'POST', '/v1/calls', { token: caller.token, body: { media: { audio: 1 } }, expect: 400 });
  await call(srv, 'POST', '/v1/calls', { token: s1.token, body: {}, expect: 403 });
  await call(srv, 'POST', '/v1/calls', { token: caller.token, body: { staff_id: uniq('nobody') }, expect: 409 });
  const created = await call(srv, 'POST', '/v1/calls', {
    token: caller.token, body: { media: { audio: true, video: false }, metadata: { ticket: '42' } },
    headers: { 'idempotency-key': uniq('key') }, expect: 201,
  });
  const id = created.body.id;
  ids.main = id;
  await call(srv, 'POST', '/v1/calls', { token: caller.token, body: {}, expect: 409 });
  await w1.waitType('call.incoming', (m) => m.call.id === id);
  await w2.waitType('call.incoming', (m) => m.call.id === id);

  await call(srv, 'GET', '/v1/calls', { token: caller.token, expect: 200 });
  await call(srv, 'GET', '/v1/calls', { query: '?state=ringing&limit=1', token: admin.token, expect: 200 });
  await call(srv, 'GET', '/v1/calls', { query: '?state=bogus', token: admin.token, expect: 400 });
  await call(srv, 'GET', '/v1/calls/{id}', { token: caller.token, params: { id }, expect: 200 });
  await call(srv, 'GET', '/v1/calls/{id}', { token: caller2.token, params: { id }, expect: 403 });
  await call(srv, 'GET', '/v1/calls/{id}', { token: stranger.token, params: { id }, expect: 404 });
  await call(srv, 'GET', '/v1/calls/{id}', { token: caller.token, params: { id: 'x'.repeat(200) }, expect: 400 });

  await call(srv, 'POST', '/v1/calls/{id}/end', { token: caller.token, params: { id }, body: {}, expect: 409 });
  await call(srv, 'POST', '/v1/calls/{id}/accept', { token: s1.token, params: { id }, body: {}, expect: 200 });
  await call(srv, 'POST', '/v1/calls/{id}/accept', { token: s2.token, params: { id }, body: {}, expect: 409 });
  await call(srv, 'POST', '/v1/calls/{id}/accept', { token: caller.token, params: { id }, body: {}, expect: 403 });
  await call(srv, 'POST', '/v1/calls/{id}/cancel', { token: caller.token, params: { id }, body: {}, expect: 409 });
  await call(srv, 'POST', '/v1/calls/{id}/decline', { token: s2.token, params: { id }, body: {}, expect: 409 });
  await wc.waitType('ice_servers');

  // Signaling between the two participants, and a refusal with ref.
  const offer = { type: 'signal', call_id: id, kind: 'offer', data: { type: 'offer', sdp: 'v=0' }, seq: 1 };
  sendChecked(w1, 'SignalToServer', offer);
  await wc.waitType('signal', (m) => m.call_id === id);
  sendChecked(wc, 'SignalToServer', { type: 'signal', call_id: id, kind: 'answer', data: { type: 'answer', sdp: 'v=0' }, seq: 1 });
  await w1.waitType('signal', (m) => m.call_id === id);
  wc.send({ type: 'no.such.type', seq: 2 });
  await wc.waitType('error', (m) => m.ref === 2);
  sendChecked(wc, 'Ping', { type: 'ping' });
  await wc.waitType('pong');

  await call(srv, 'POST', '/v1/calls/{id}/connected', { token: caller.token, params: { id }, body: { candidate_type: 'host' }, expect: 200 });
  await call(srv, 'POST', '/v1/calls/{id}/connected', { token: caller.token, params: { id }, body: { candidate_type: 'carrier-pigeon' }, expect: 400 });
  const sample = {
    at: new Date().toISOString(), rtt_ms: 20, jitter_ms: 3, packet_loss_pct: 0.5,
    bitrate_kbps: { audio_in: 30, audio_out: 30, video_in: 500, video_out: 500 },
    candidate_type: 'host', ice_state: 'connected',
  };
  await call(srv, 'POST', '/v1/calls/{id}/quality', { token: caller.token, params: { id }, body: sample, expect: 202 });
  await call(srv, 'POST', '/v1/calls/{id}/quality', { token: caller.token, params: { id }, body: { rtt_ms: -1 }, expect: 400 });
  await call(srv, 'POST', '/v1/calls/{id}/feedback', { token: caller.token, params: { id }, body: { score: 4 }, expect: 409 });
  await call(srv, 'POST', '/v1/calls/{id}/end', { token: caller2.token, params: { id }, body: {}, expect: 403 });
  await call(srv, 'POST', '/v1/calls/{id}/end', { token: caller.token, params: { id }, body: { reason: 'not a word' }, expect: 400 });
  await call(srv, 'POST', '/v1/calls/{id}/end', { token: caller.token, params: { id }, body: {}, expect: 200 });
  await call(srv, 'POST', '/v1/calls/{id}/feedback', { token: caller.token, params: { id }, body: { score: 9 }, expect: 400 });
  await call(srv, 'POST', '/v1/calls/{id}/feedback', {
    token: caller.token, params: { id }, body: { score: 2, issues: ['audio'], comment: 'echo' }, expect: 200,
  });
  await call(srv, 'GET', '/v1/calls/{id}', { token: admin.token, params: { id }, expect: 200 });
  await call(srv, 'GET', '/v1/ops/summary', { token: admin.token, expect: 200 });
  await call(srv, 'GET', '/v1/ops/summary', { token: s1.token, expect: 403 });

  // A call rung only for s1 and declined, then one the caller cancels.
  const declined = await call(srv, 'POST', '/v1/calls', { token: caller2.token, body: { staff_id: s2.id }, expect: 201 });
  await w2.waitType('call.incoming', (m) => m.call.id === declined.body.id);
  await call(srv, 'POST', '/v1/calls/{id}/decline', { token: s2.token, params: { id: declined.body.id }, body: {}, expect: 200 });
  const cancelled = await call(srv, 'POST', '/v1/calls', { token: caller2.token, body: {}, expect: 201 });
  await call(srv, 'POST', '/v1/calls/{id}/cancel', { token: caller2.token, params: { id: cancelled.body.id }, body: {}, expect: 200 });
  ids.cancelled = cancelled.body.id;
}));

test('the board: subscribe gets board, a change gets board.updated; a client gets an error', L(async () => {
  assertValid(clientValidators.Hello, { type: 'hello', token: admin.token }, 'hello');
  const w = await connectUser(srv, admin, { label: 'admin' });
  const wc = await connectUser(srv, caller2, { label: 'caller2' });
  sockets.push(w, wc);
  sendChecked(w, 'Subscribe', { type: 'subscribe', topic: 'board', seq: 1 });
  await w.waitType('board');
  await call(srv, 'PUT', '/v1/staff/me/availability', { token: s2.token, body: { status: 'away' }, expect: 200 });
  await w.waitType('board.updated');
  sendChecked(w, 'Unsubscribe', { type: 'unsubscribe', topic: 'board', seq: 2 });
  sendChecked(wc, 'Subscribe', { type: 'subscribe', topic: 'board', seq: 1 });
  const refused = await wc.waitType('error', (m) => m.ref === 1);
  assert.equal(refused.code, 'forbidden');
}));

test('no token is 401 and a body over 64 KiB is 413 on every authenticated operation', L(async () => {
  for (const { method, path, op } of OPERATIONS) {
    if (!path.startsWith('/v1/') || (op.security && op.security.length === 0)) continue;
    const params = { id: ids.main };
    await call(srv, method, path, { params, body: method === 'GET' ? undefined : {}, expect: 401 });
    if (method !== 'GET') {
      await call(srv, method, path, { params, token: admin.token, raw: `{"x":"${'a'.repeat(70 * 1024)}"}`, expect: 413 });
    }
  }
}));

test('rate limits answer 429 with Retry-After', L(async () => {
  limited = await startServer(['--rate-user', '1/s', '--rate-ip', '1000/s'], { defaultRates: true });
  let res;
  for (let i = 0; i < 20; i++) {
    res = await limited.request('GET', '/v1/ice-servers', { token: caller.token });
    if (res.status === 429) break;
  }
  assert.equal(res.status, 429, 'the per-user bucket of 1/s (burst 2) runs out within 20 requests');
  conforms(res, '/v1/ice-servers');
}));

test('every documented path answers its documented method with something other than 404', L(async () => {
  const failures = [];
  for (const { method, path } of OPERATIONS) {
    const params = { id: ids.main };
    const token = path === '/v1/calls' && method === 'POST' ? caller.token : admin.token;
    const res = await call(srv, method, path, { params, token, body: method === 'GET' ? undefined : {} });
    if (res.status === 404) failures.push(`${method} ${path}`);
  }
  assert.deepEqual(failures, [], 'documented operations the server does not have');
}));

test('webhook deliveries match the documented payload and signature', L(async () => {
  const headerSchema = OPENAPI.webhooks.callUpdated.post.parameters.find((p) => p.name === 'Switchboard-Signature').schema;
  const signature = new RegExp(headerSchema.pattern);
  const validate = validator(OPENAPI.webhooks.callUpdated.post.requestBody.content['application/json'].schema);
  // Three calls: created, accepted, active, ended; created, declined; created, cancelled.
  await receiver.waitUntil((reqs) => reqs.length >= 8, 10000, 'a delivery of every transition');
  for (const r of receiver.requests) {
    assert.equal(r.method, 'POST');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.match(r.headers['switchboard-signature'], signature);
    verifySignature(r.headers['switchboard-signature'], r.raw, WEBHOOK_SECRET);
    assertValid(validate, JSON.parse(r.raw), `webhook ${r.n}`);
  }
}));

test('the queue and a transfer: a queued create, queue.updated, GET /v1/queue, transfer and its refusals', L(async () => {
  const waiting = user(org, 'client', uniq('waiting'));
  const talking = user(org, 'client', uniq('talking'));
  const wq = await connectUser(srv, waiting, { label: 'queued caller' });
  sockets.push(wq);
  // s1 takes a call and stays in it; s2 is away since the board test.
  const live = await call(srv, 'POST', '/v1/calls', { token: talking.token, body: {}, expect: 201 });
  const id = live.body.id;
  await call(srv, 'POST', '/v1/calls/{id}/accept', { token: s1.token, params: { id }, body: {}, expect: 200 });
  await call(srv, 'POST', '/v1/calls/{id}/transfer', { token: s1.token, params: { id }, body: { staff_id: s2.id }, expect: 409 });
  await call(srv, 'POST', '/v1/calls/{id}/connected', { token: talking.token, params: { id }, body: {}, expect: 200 });
  const queued = await call(srv, 'POST', '/v1/calls', { token: waiting.token, body: { topic: 'general' }, expect: 409 });
  assert.equal(queued.body.error.code, 'no_staff_available');
  const inLine = await call(srv, 'POST', '/v1/calls', { token: waiting.token, body: {}, expect: 201 });
  assert.equal(inLine.body.state, 'queued');
  await wq.waitType('queue.updated', (m) => m.call_id === inLine.body.id);
  await call(srv, 'GET', '/v1/queue', { token: admin.token, expect: 200 });
  await call(srv, 'GET', '/v1/queue', { token: waiting.token, expect: 403 });
  await call(srv, 'POST', '/v1/calls/{id}/transfer', { token: talking.token, params: { id }, body: { staff_id: s2.id }, expect: 403 });
  await call(srv, 'POST', '/v1/calls/{id}/transfer', { token: s1.token, params: { id }, body: {}, expect: 400 });
  await call(srv, 'POST', '/v1/calls/{id}/transfer', { token: s1.token, params: { id }, body: { topic: 'billing' }, expect: 409 });
  await call(srv, 'PUT', '/v1/staff/me/availability', { token: s2.token, body: { status: 'available' }, expect: 200 });
  const next = await call(srv, 'POST', '/v1/calls/{id}/transfer', { token: s1.token, params: { id }, body: { staff_id: s2.id }, expect: 201 });
  assert.equal(next.body.transferred_from, id);
  await call(srv, 'POST', '/v1/calls/{id}/cancel', { token: talking.token, params: { id: next.body.id }, body: {}, expect: 200 });
  await call(srv, 'POST', '/v1/calls/{id}/cancel', { token: waiting.token, params: { id: inLine.body.id }, body: {}, expect: 200 });
}));

test('every WebSocket message the server sent matches docs/asyncapi.yaml, and each kind was seen', L(async () => {
  for (const w of sockets) {
    for (const m of w.messages) messageConforms(m, w.label);
  }
  assert.deepEqual([...SERVER_MESSAGES.keys()].filter((t) => !typesSeen.has(t)).sort(), [],
    'server message types documented but never seen in this test');
}));

test('every documented operation was exercised', () => {
  const missing = OPERATIONS.map(({ method, path }) => `${method} ${path}`).filter((k) => !checked.has(k));
  assert.deepEqual(missing, []);
  const summary = [...checked].map(([k, statuses]) => `${k}: ${[...statuses].sort().join(' ')}`);
  console.log(`checked against docs/openapi.yaml:\n  ${summary.join('\n  ')}`);
});
