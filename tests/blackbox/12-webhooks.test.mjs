// docs/openapi.yaml: every call version is POSTed to --webhook-url, signed, from a
// durable outbox, at least once, in version order per call, retried with backoff while the
// receiver is down, and survives a kill -9 of the server.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, user, connectUser, uniq, withLogs, poll } from './lib/harness.mjs';
import {
  scrape, ready, create, actOk, get, updated, incoming, startReceiver, verifySignature, assertAlive,
} from './lib-ops.mjs';

const WH_SECRET = `whsec-${uniq('s')}-0123456789abcdef`;
let rec;
let srv1;
let srv2;
let dir;
const org = uniq('org');
const caller = user(org, 'client', uniq('caller'));
const quietCaller = user(org, 'client', uniq('quiet')); // never opens a WebSocket
const s1 = user(org, 'staff', uniq('staff'));
const s2 = user(org, 'staff', uniq('staff'));
const calls = {}; // name -> {id, states: [expected state per version]}
let killedAt = 0;
let restartedAt = 0;
let upAt = 0;
let scenarioDone = false;

function flags() {
  return ['--webhook-url', rec.url, '--webhook-secret', WH_SECRET, '--ring-timeout', '60s', '--connect-timeout', '60s'];
}

// Parsed view of one recorded request.
function parsed(r) {
  if (r.__p) return r.__p;
  let body = null;
  try {
    body = JSON.parse(r.raw);
  } catch {
    body = null;
  }
  const p = { id: body?.call?.id, version: body?.call?.version, body };
  Object.defineProperty(r, '__p', { value: p, enumerable: false });
  return p;
}

function expectedPairs() {
  const pairs = [];
  for (const c of Object.values(calls)) for (let v = 1; v <= c.states.length; v++) pairs.push(`${c.id}/${v}`);
  return pairs;
}

function deliveredPairs(reqs) {
  return new Set(reqs.filter((r) => r.answered === 200).map((r) => `${parsed(r).id}/${parsed(r).version}`));
}

before(async () => {
  rec = await startReceiver({ mode: '503' });
  srv1 = await startServer(flags());
  dir = srv1.dir;
});

after(async () => {
  await srv1?.kill9();
  await srv2?.stop();
  if (dir) srv1.removeDir();
  await rec?.stop();
});

const L = (fn) => withLogs(() => [srv1, srv2].filter(Boolean), async (t) => {
  try {
    return await fn(t);
  } catch (e) {
    // A request failing because the process died says "fetch failed": name the death instead.
    if (srv1 && !killedAt) await assertAlive(srv1, `(the test saw: ${e.message})`);
    if (srv2) await assertAlive(srv2, `(the test saw: ${e.message})`);
    throw e;
  }
});

test('receiver down: calls are made, deliveries fail and are retried; kill -9; restart; receiver up; all delivered', L(async () => {
  const ws1 = await ready(srv1, s1);
  const ws2 = await ready(srv1, s2);
  const wsC = await connectUser(srv1, caller);

  // A: ringing, accepted, active, ended.
  const a = await create(srv1, caller);
  calls.A = { id: a.id, states: ['ringing', 'accepted', 'active', 'ended'] };
  await incoming(ws1, a.id);
  await actOk(srv1, s1, a.id, 'accept');
  await actOk(srv1, caller, a.id, 'connected', { candidate_type: 'srflx' });
  await actOk(srv1, s1, a.id, 'end');
  await updated(wsC, a.id, 'ended');

  // B: ringing, cancelled.
  const b = await create(srv1, caller);
  calls.B = { id: b.id, states: ['ringing', 'cancelled'] };
  await incoming(ws2, b.id);
  await actOk(srv1, caller, b.id, 'cancel');

  // C: ringing, declined.
  const c = await create(srv1, caller);
  calls.C = { id: c.id, states: ['ringing', 'declined'] };
  await incoming(ws1, c.id);
  await incoming(ws2, c.id);
  await actOk(srv1, s1, c.id, 'decline');
  await actOk(srv1, s2, c.id, 'decline');
  await updated(wsC, c.id, 'declined');

  // D: ringing, accepted, failed (ice_failed).
  const d = await create(srv1, caller);
  calls.D = { id: d.id, states: ['ringing', 'accepted', 'failed'] };
  await incoming(ws2, d.id);
  await actOk(srv1, s2, d.id, 'accept');
  await actOk(srv1, caller, d.id, 'end', { reason: 'ice_failed' });

  // E: still ringing when the server is killed; cancelled after the restart.
  const e = await create(srv1, quietCaller);
  calls.E = { id: e.id, states: ['ringing', 'cancelled'] };

  // The receiver answers 503: wait until some event has been tried three times (two retries,
  // about 1 s + 2 s of backoff).
  await rec.waitUntil((reqs) => {
    const n = {};
    for (const r of reqs) {
      const k = `${parsed(r).id}/${parsed(r).version}`;
      n[k] = (n[k] ?? 0) + 1;
      if (n[k] >= 3) return true;
    }
    return false;
  }, 20000, 'a delivery tried three times');
  const m1 = await poll(async () => {
    const m = await scrape(srv1);
    return m.sum('switchboard_webhook_deliveries_total', { result: 'failed' }) > 0 ? m : null;
  }, { timeoutMs: 5000, what: 'webhook_deliveries_total{result="failed"} > 0 on the first server' });
  assert.equal(m1.exact('switchboard_webhook_outbox_pending'), 12, 'all 12 events are pending while the receiver is down');
  assert.equal(m1.sum('switchboard_webhook_deliveries_total', { result: 'ok' }), 0, 'nothing delivered yet');

  // kill -9 while the receiver is still down; from now on it closes the socket instead.
  rec.setMode('close');
  killedAt = Date.now();
  await srv1.kill9();
  srv2 = await startServer(flags(), { dir });
  restartedAt = Date.now();

  // The restarted server carries on from the durable outbox.
  await rec.waitUntil((reqs) => reqs.some((r) => r.at > restartedAt), 30000, 'a delivery attempt from the restarted server');
  await actOk(srv2, quietCaller, e.id, 'cancel');
  const m2 = await poll(async () => {
    const m = await scrape(srv2);
    return m.sum('switchboard_webhook_deliveries_total', { result: 'failed' }) > 0 ? m : null;
  }, { timeoutMs: 10000, what: 'webhook_deliveries_total{result="failed"} > 0 on the restarted server' });
  assert.equal(m2.exact('switchboard_webhook_outbox_pending'), 13, 'all 13 events are pending after the restart');

  // Receiver up: everything arrives (backoff kept small by the short down period).
  rec.setMode('up');
  upAt = Date.now();
  const want = expectedPairs();
  assert.equal(want.length, 13);
  await rec.waitUntil((reqs) => {
    const got = deliveredPairs(reqs);
    return want.every((p) => got.has(p));
  }, 90000, `every call version delivered: want ${want.length}`);
  console.log(`webhooks: down ${killedAt - rec.requests[0].at} ms before the kill, restart took ${restartedAt - killedAt} ms, `
    + `all delivered ${Date.now() - upAt} ms after the receiver came up; ${rec.requests.length} requests in all`);

  const m3 = await poll(async () => {
    const m = await scrape(srv2);
    return m.exact('switchboard_webhook_outbox_pending') === 0 ? m : null;
  }, { timeoutMs: 10000, what: 'switchboard_webhook_outbox_pending to drop to 0' });
  assert.ok(m3.sum('switchboard_webhook_deliveries_total', { result: 'failed' }) > 0, 'failed deliveries counted');
  assert.ok(m3.sum('switchboard_webhook_deliveries_total', { result: 'ok' }) >= 1, 'ok deliveries counted');
  scenarioDone = true;
}));

function requireScenario() {
  assert.ok(scenarioDone, 'the delivery scenario did not complete (see the first test)');
}

test('every request: POST to the hook path, application/json, signature verifies, t within 5 minutes', L(async () => {
  requireScenario();
  const problems = [];
  for (const r of rec.requests) {
    try {
      assert.equal(r.method, 'POST');
      assert.equal(r.url, rec.path);
      const ct = r.headers['content-type'] ?? '';
      assert.equal(ct.split(';')[0].trim().toLowerCase(), 'application/json', `content-type ${ct}`);
      const { t } = verifySignature(r.headers['switchboard-signature'], r.raw, WH_SECRET);
      assert.ok(Math.abs(t * 1000 - r.at) < 5 * 60 * 1000, `t=${t} is within 5 minutes of receipt ${r.at}`);
      assert.ok(t * 1000 <= r.at + 2000, `t=${t} is not in the future (received ${r.at})`);
      const p = parsed(r);
      assert.ok(p.body, 'body is JSON');
      assert.deepEqual(Object.keys(p.body).sort(), ['call', 'type']);
      assert.equal(p.body.type, 'call.updated');
      assert.ok(Object.values(calls).some((c) => c.id === p.id), `a call of this test: ${p.id}`);
      assert.ok(Number.isInteger(p.version) && p.version >= 1, `version ${p.version}`);
    } catch (e) {
      problems.push(`request #${r.n}: ${e.message.split('\n')[0]}`);
    }
  }
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} bad requests`);
  // A wrong secret must not verify (the check above is not vacuous).
  const r0 = rec.requests[0];
  assert.throws(() => verifySignature(r0.headers['switchboard-signature'], r0.raw, `${WH_SECRET}x`));
}));

test('per call: versions 1..final with no gaps, first arrivals in version order, N+1 only after N got a 2xx', L(async () => {
  requireScenario();
  const problems = [];
  for (const [name, c] of Object.entries(calls)) {
    const mine = rec.requests.filter((r) => parsed(r).id === c.id);
    const versions = [...new Set(mine.map((r) => parsed(r).version))].sort((x, y) => x - y);
    const want = c.states.map((_, i) => i + 1);
    if (JSON.stringify(versions) !== JSON.stringify(want)) problems.push(`${name}: versions ${versions} != ${want}`);
    // First arrival of each version, in arrival order.
    const firsts = [];
    for (const r of mine) if (!firsts.includes(parsed(r).version)) firsts.push(parsed(r).version);
    if (JSON.stringify(firsts) !== JSON.stringify(want)) problems.push(`${name}: first arrivals in order ${firsts}`);
    // Version N+1 is only tried after version N was answered 2xx.
    for (const r of mine) {
      const v = parsed(r).version;
      if (v === 1) continue;
      const okBefore = mine.some((q) => q.n < r.n && parsed(q).version === v - 1 && q.answered === 200);
      if (!okBefore) problems.push(`${name}: version ${v} sent (request #${r.n}) before version ${v - 1} got a 2xx`);
    }
    // The states are the expected ones, and duplicates of one version carry the same call.
    for (let v = 1; v <= c.states.length; v++) {
      const copies = mine.filter((r) => parsed(r).version === v).map((r) => parsed(r).body.call);
      if (!copies.length) continue;
      if (copies[0].state !== c.states[v - 1]) problems.push(`${name} v${v}: state ${copies[0].state} != ${c.states[v - 1]}`);
      for (const x of copies.slice(1)) {
        try {
          assert.deepEqual(x, copies[0]);
        } catch {
          problems.push(`${name} v${v}: a redelivery differs from the first copy`);
          break;
        }
      }
    }
  }
  assert.deepEqual(problems, []);
}));

// The last version of each call, as the receiver got it, and the call as GET answers it now.
async function finals() {
  const out = [];
  for (const [name, c] of Object.entries(calls)) {
    const owner = name === 'E' ? quietCaller : caller;
    const now = await get(srv2, owner, c.id);
    const last = rec.requests.filter((r) => parsed(r).id === c.id && parsed(r).version === c.states.length).at(-1);
    out.push({ name, now, payload: parsed(last).body.call, states: c.states });
  }
  return out;
}

test('the final payload of each call has the state (and version, reason, times) of GET /v1/calls/{id}', L(async () => {
  requireScenario();
  const problems = [];
  for (const { name, now, payload, states } of await finals()) {
    if (now.version !== states.length) problems.push(`${name}: GET version ${now.version}, expected ${states.length}`);
    for (const k of ['state', 'version', 'end_reason', 'created_at', 'accepted_at', 'active_at', 'ended_at', 'staff', 'caller']) {
      if (JSON.stringify(payload[k]) !== JSON.stringify(now[k])) {
        problems.push(`${name}: payload ${k} ${JSON.stringify(payload[k])} != GET ${JSON.stringify(now[k])}`);
      }
    }
  }
  assert.deepEqual(problems, []);
}));

test('the final payload of each call equals GET /v1/calls/{id} in full (quality included)', L(async () => {
  requireScenario();
  const problems = [];
  for (const { name, now, payload } of await finals()) {
    const keys = new Set([...Object.keys(payload), ...Object.keys(now)]);
    for (const k of keys) {
      if (JSON.stringify(payload[k]) !== JSON.stringify(now[k])) {
        problems.push(`${name} (${now.state}): "${k}" in the payload ${JSON.stringify(payload[k])}, in GET ${JSON.stringify(now[k])}`);
      }
    }
  }
  assert.deepEqual(problems, []);
}));

test('retries back off (at least ~1 s, growing) and each try is signed afresh', L(async () => {
  requireScenario();
  const problems = [];
  const byPair = new Map();
  for (const r of rec.requests) {
    const k = `${parsed(r).id}/${parsed(r).version}`;
    if (!byPair.has(k)) byPair.set(k, []);
    byPair.get(k).push(r);
  }
  for (const [k, tries] of byPair) {
    // Within one server life only: the restart may reset the schedule.
    for (const life of [tries.filter((r) => r.at < killedAt), tries.filter((r) => r.at > restartedAt)]) {
      const gaps = [];
      for (let i = 1; i < life.length; i++) gaps.push(life[i].at - life[i - 1].at);
      for (let i = 0; i < gaps.length; i++) {
        if (gaps[i] < 900) problems.push(`${k}: retry after ${gaps[i]} ms`);
        if (gaps[i] > 61000 + 1000) problems.push(`${k}: retry after ${gaps[i]} ms (cap is 60 s)`);
        if (i > 0 && gaps[i] < 0.8 * gaps[i - 1] && gaps[i - 1] < 60000) problems.push(`${k}: gaps shrink ${gaps}`);
      }
      for (let i = 1; i < life.length; i++) {
        const t0 = verifySignature(life[i - 1].headers['switchboard-signature'], life[i - 1].raw, WH_SECRET).t;
        const t1 = verifySignature(life[i].headers['switchboard-signature'], life[i].raw, WH_SECRET).t;
        if (life[i].at - life[i - 1].at >= 2000 && t1 === t0) problems.push(`${k}: retry ${life[i].at - life[i - 1].at} ms later reuses t=${t0}`);
      }
    }
  }
  const attempts = [...byPair.values()].map((x) => x.length);
  console.log(`attempts per event: ${JSON.stringify(attempts)}`);
  const first = [...byPair.values()][0];
  console.log(`first event's tries, ms after its first: ${JSON.stringify(first.map((r) => `${r.at - first[0].at}:${r.answered}`))}`);
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
}));
