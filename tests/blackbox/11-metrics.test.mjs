// docs/metrics.md: /metrics after a scripted set of calls has exactly the numbers
// the script implies, is well-formed Prometheus text, passes `promtool check metrics`, and no
// label carries a call id or user id.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, user, connectUser, expectError, uniq, withLogs } from './lib/harness.mjs';
import {
  scrape, promtoolCheck, countRequests, ready, create, act, actOk, updated, incoming,
} from './lib-ops.mjs';

let srv;
let counts; // {route: {status: n}} of every request made through srv.request
let scrapes = 0; // GET /metrics made by this file
const org = uniq('org');
const caller = user(org, 'client', uniq('caller'));
const s1 = user(org, 'staff', uniq('staff'));
const s2 = user(org, 'staff', uniq('staff'));
let ws1, ws2, wsC;
const callIds = [];
let final; // the last scrape
let scenarioDone = false;

async function metrics() {
  scrapes++;
  return scrape(srv);
}

before(async () => {
  srv = await startServer(['--ring-timeout', '2s', '--connect-timeout', '2s']);
  counts = countRequests(srv);
});

after(async () => {
  await srv?.stop();
});

const L = (fn) => withLogs(() => srv, fn);

function requireScenario() {
  assert.ok(scenarioDone && final, 'the scripted scenario did not complete (see the first test)');
}

test('script: 2 answered, 1 missed, 1 declined, 1 ice_failed, 1 connect_timeout, 1 cancelled, 1 accept conflict', L(async () => {
  ws1 = await ready(srv, s1);
  ws2 = await ready(srv, s2);
  wsC = await connectUser(srv, caller);

  // 1. Answered, connected over relay, with signaling in both directions.
  const a = await create(srv, caller);
  callIds.push(a.id);
  await incoming(ws1, a.id);
  await incoming(ws2, a.id);
  let m = await metrics();
  assert.equal(m.exact('switchboard_ringing_calls'), 1, 'one call ringing now');
  assert.equal(m.exact('switchboard_active_calls'), 0, 'no call accepted or active yet');
  await actOk(srv, s1, a.id, 'accept');
  await updated(wsC, a.id, 'accepted');
  m = await metrics();
  assert.equal(m.exact('switchboard_active_calls'), 1, 'an accepted call counts as active (10.15)');
  assert.equal(m.exact('switchboard_ringing_calls'), 0);
  ws1.send({ type: 'signal', call_id: a.id, kind: 'offer', data: { sdp: 'v=0 offer' }, seq: 1 });
  await wsC.waitFor((x) => x.type === 'signal' && x.kind === 'offer' && x.call_id === a.id, 5000, 'offer relayed');
  wsC.send({ type: 'signal', call_id: a.id, kind: 'answer', data: { sdp: 'v=0 answer' }, seq: 1 });
  await ws1.waitFor((x) => x.type === 'signal' && x.kind === 'answer' && x.call_id === a.id, 5000, 'answer relayed');
  ws1.send({ type: 'signal', call_id: a.id, kind: 'candidate', data: { candidate: 'c1' }, seq: 2 });
  ws1.send({ type: 'signal', call_id: a.id, kind: 'candidate', data: { candidate: 'c2' }, seq: 3 });
  wsC.send({ type: 'signal', call_id: a.id, kind: 'candidate', data: { candidate: 'c3' }, seq: 2 });
  await wsC.waitFor((x) => x.type === 'signal' && x.kind === 'candidate' && x.data?.candidate === 'c2', 5000, 'c2 relayed');
  await ws1.waitFor((x) => x.type === 'signal' && x.kind === 'candidate' && x.data?.candidate === 'c3', 5000, 'c3 relayed');
  const con = await actOk(srv, caller, a.id, 'connected', { candidate_type: 'relay' });
  assert.equal(con.state, 'active');
  await updated(wsC, a.id, 'active');
  m = await metrics();
  assert.equal(m.exact('switchboard_active_calls'), 1, 'an active call counts as active (10.15)');
  await actOk(srv, s1, a.id, 'end');
  await updated(wsC, a.id, 'ended');
  // A signal for a call that has ended is refused and must not count as relayed.
  ws1.send({ type: 'signal', call_id: a.id, kind: 'candidate', data: { candidate: 'late' }, seq: 4 });
  await ws1.waitFor((x) => x.type === 'error' && x.ref === 4, 5000, 'error for a signal on an ended call');

  // 2. Answered by s2, connected on host, ended by the caller.
  const b = await create(srv, caller);
  callIds.push(b.id);
  await incoming(ws2, b.id);
  await actOk(srv, s2, b.id, 'accept');
  const conB = await actOk(srv, s2, b.id, 'connected', { candidate_type: 'host' });
  assert.equal(conB.state, 'active');
  await actOk(srv, caller, b.id, 'end');
  await updated(ws2, b.id, 'ended');

  // 3. Missed: nobody answers within the 2 s ring timeout.
  const c = await create(srv, caller);
  callIds.push(c.id);
  const missed = await updated(wsC, c.id, 'missed', 10000);
  assert.equal(missed.call.end_reason, 'timeout');

  // 4. Declined by every rung staff member.
  const d = await create(srv, caller);
  callIds.push(d.id);
  await incoming(ws1, d.id);
  await incoming(ws2, d.id);
  await actOk(srv, s1, d.id, 'decline');
  await actOk(srv, s2, d.id, 'decline');
  const dec = await updated(wsC, d.id, 'declined');
  assert.equal(dec.call.end_reason, 'all_declined');

  // 5. Accepted, then ICE failed.
  const e = await create(srv, caller);
  callIds.push(e.id);
  await incoming(ws1, e.id);
  await actOk(srv, s1, e.id, 'accept');
  const fe = await actOk(srv, caller, e.id, 'end', { reason: 'ice_failed' });
  assert.equal(fe.state, 'failed');
  assert.equal(fe.end_reason, 'ice_failed');

  // 6. Accepted, never connected: connect timeout (2 s).
  const f = await create(srv, caller);
  callIds.push(f.id);
  await incoming(ws2, f.id);
  await actOk(srv, s2, f.id, 'accept');
  const ct = await updated(wsC, f.id, 'failed', 10000);
  assert.equal(ct.call.end_reason, 'connect_timeout');

  // 7. Cancelled by the caller.
  const g = await create(srv, caller);
  callIds.push(g.id);
  await incoming(ws1, g.id);
  const cg = await actOk(srv, caller, g.id, 'cancel');
  assert.equal(cg.state, 'cancelled');

  // 8. Both staff accept at once: exactly one wins, the other gets 409 call_already_taken.
  const h = await create(srv, caller);
  callIds.push(h.id);
  await incoming(ws1, h.id);
  await incoming(ws2, h.id);
  const [r1, r2] = await Promise.all([act(srv, s1, h.id, 'accept'), act(srv, s2, h.id, 'accept')]);
  const statuses = [r1.status, r2.status].sort();
  assert.deepEqual(statuses, [200, 409], `one accept wins, one loses: ${r1.status} ${r1.text} / ${r2.status} ${r2.text}`);
  const loser = r1.status === 409 ? r1 : r2;
  expectError(loser, 409, 'call_already_taken');
  const winner = r1.status === 200 ? s1 : s2;
  const eh = await actOk(srv, winner, h.id, 'end');
  assert.equal(eh.state, 'ended');
  await updated(wsC, h.id, 'ended');

  final = await metrics();
  scenarioDone = true;
}));

test('calls: created, finished by state and reason, accept conflicts, active and ringing gauges', L(async () => {
  requireScenario();
  const m = final;
  assert.equal(m.exact('switchboard_calls_created_total'), 8, 'calls created');
  const finished = m.table('switchboard_calls_finished_total');
  const want = {
    [JSON.stringify({ state: 'ended', reason: 'hangup' })]: 3,
    [JSON.stringify({ state: 'missed', reason: 'timeout' })]: 1,
    [JSON.stringify({ state: 'declined', reason: 'all_declined' })]: 1,
    [JSON.stringify({ state: 'failed', reason: 'ice_failed' })]: 1,
    [JSON.stringify({ state: 'failed', reason: 'connect_timeout' })]: 1,
    [JSON.stringify({ state: 'cancelled', reason: 'caller_cancelled' })]: 1,
  };
  // Series with value 0 may be pre-declared; drop them before comparing.
  const nonZero = Object.fromEntries(
    Object.entries(finished)
      .filter(([, v]) => v !== 0)
      .map(([k, v]) => [JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(k)).sort())), v]),
  );
  const wantSorted = Object.fromEntries(
    Object.entries(want).map(([k, v]) => [JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(k)).sort())), v]),
  );
  assert.deepEqual(nonZero, wantSorted, 'switchboard_calls_finished_total{state,reason}');
  assert.equal(m.exact('switchboard_accept_conflicts_total'), 1, 'accept conflicts');
  assert.equal(m.exact('switchboard_active_calls'), 0, 'no call accepted or active at the end');
  assert.equal(m.exact('switchboard_ringing_calls'), 0, 'no call ringing at the end');
  assert.equal(m.exact('switchboard_calls_stuck_ringing'), 0, 'nothing stuck ringing');
  assert.equal(m.exact('switchboard_ws_connections'), 3, 'three authenticated WebSockets open');
}));

test('histograms: set-up counts accepted calls, connect counts connected calls, one ring timeout', L(async () => {
  requireScenario();
  const m = final;
  // Accepted: 2 answered + ice_failed + connect_timeout + the conflict call = 5.
  assert.equal(m.exact('switchboard_call_setup_seconds_count'), 5, 'set-up observations = accepted calls');
  // By ICE profile (docs/config.md#ice-server-profiles): without --ice-profiles every call draws `default`.
  assert.equal(m.exact('switchboard_call_connect_seconds_count', { profile: 'default' }), 2, 'connect observations = connected calls');
  assert.equal(m.exact('switchboard_ring_timeout_lateness_seconds_count'), 1, 'one ring timeout ran');
  const setupSum = m.exact('switchboard_call_setup_seconds_sum');
  assert.ok(setupSum > 0 && setupSum < 30, `set-up sum is plausible: ${setupSum}`);
  const connectSum = m.exact('switchboard_call_connect_seconds_sum', { profile: 'default' });
  assert.ok(connectSum >= 0 && connectSum < 20, `connect sum is plausible: ${connectSum}`);
  const late = m.exact('switchboard_ring_timeout_lateness_seconds_sum');
  assert.ok(late >= 0 && late < 2, `ring timeout lateness is plausible: ${late}`);
  for (const [name, type] of [
    ['switchboard_call_setup_seconds', 'histogram'],
    ['switchboard_call_connect_seconds', 'histogram'],
    ['switchboard_ring_timeout_lateness_seconds', 'histogram'],
    ['switchboard_http_request_seconds', 'histogram'],
    ['switchboard_calls_created_total', 'counter'],
    ['switchboard_calls_finished_total', 'counter'],
    ['switchboard_accept_conflicts_total', 'counter'],
    ['switchboard_signals_relayed_total', 'counter'],
    ['switchboard_http_requests_total', 'counter'],
    ['switchboard_ice_results_total', 'counter'],
    ['switchboard_active_calls', 'gauge'],
    ['switchboard_ws_connections', 'gauge'],
  ]) {
    // TYPE lines name the family: counters may be declared with or without _total.
    const t = m.types[name] ?? m.types[name.replace(/_total$/, '')];
    assert.equal(t, type, `# TYPE of ${name}`);
  }
}));

test('every histogram is consistent: cumulative buckets, +Inf bucket = _count', L(async () => {
  requireScenario();
  const m = final;
  const problems = [];
  for (const [name, type] of Object.entries(m.types)) {
    if (type !== 'histogram') continue;
    const groups = new Map();
    for (const s of m.series(`${name}_bucket`)) {
      const { le, ...rest } = s.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push({ le: le === '+Inf' ? Infinity : Number(le), v: s.value });
    }
    for (const [key, buckets] of groups) {
      buckets.sort((x, y) => x.le - y.le);
      for (let i = 1; i < buckets.length; i++) {
        if (buckets[i].v < buckets[i - 1].v) problems.push(`${name}${key}: bucket le=${buckets[i].le} < le=${buckets[i - 1].le}`);
      }
      const inf = buckets.find((b) => b.le === Infinity);
      const labels = Object.fromEntries(JSON.parse(key));
      const count = m.exact(`${name}_count`, labels);
      if (!inf) problems.push(`${name}${key}: no +Inf bucket`);
      else if (inf.v !== count) problems.push(`${name}${key}: +Inf bucket ${inf.v} != _count ${count}`);
      if (m.exact(`${name}_sum`, labels) === undefined) problems.push(`${name}${key}: no _sum`);
    }
  }
  assert.deepEqual(problems, []);
}));

test('ICE results by result and candidate type', L(async () => {
  requireScenario();
  const m = final;
  const got = Object.fromEntries(
    m.series('switchboard_ice_results_total').filter((s) => s.value !== 0)
      .map((s) => [`${s.labels.result}/${s.labels.candidate_type}`, s.value]),
  );
  assert.deepEqual(got, { 'connected/relay': 1, 'connected/host': 1, 'failed/unknown': 2 },
    `switchboard_ice_results_total: ${JSON.stringify(m.table('switchboard_ice_results_total'))}`);
  // docs/config.md#ice-server-profiles: each carries the call's ICE profile, `default` without --ice-profiles.
  assert.deepEqual(
    [...new Set(m.series('switchboard_ice_results_total').map((s) => s.labels.profile))], ['default'],
    'the profile label');
}));

test('signals relayed by kind; refused signals do not count', L(async () => {
  requireScenario();
  const m = final;
  assert.equal(m.exact('switchboard_signals_relayed_total', { kind: 'offer' }), 1, 'offers');
  assert.equal(m.exact('switchboard_signals_relayed_total', { kind: 'answer' }), 1, 'answers');
  assert.equal(m.exact('switchboard_signals_relayed_total', { kind: 'candidate' }), 3, 'candidates (the late one refused)');
  assert.equal(m.exact('switchboard_signals_relayed_total', { kind: 'restart' }) ?? 0, 0, 'restarts');
}));

test('events sent: one call.updated per published call version, as the caller saw them', L(async () => {
  requireScenario();
  const m = final;
  // The caller receives every call.updated of its calls; count distinct (call, version) it saw.
  const seen = new Set(wsC.seen((x) => x.type === 'call.updated' && callIds.includes(x.call?.id))
    .map((x) => `${x.call.id}/${x.call.version}`));
  // Transitions: answered 3+3, missed 1, declined 1, ice_failed 2, connect_timeout 2, cancelled 1, conflict 2.
  const transitions = 15;
  assert.ok(seen.size === transitions || seen.size === transitions + callIds.length,
    `caller saw ${seen.size} call versions; expected the 15 transitions (plus 8 creations if those are announced)`);
  assert.equal(m.exact('switchboard_events_sent_total', { type: 'call.updated' }), seen.size,
    `switchboard_events_sent_total: ${JSON.stringify(m.table('switchboard_events_sent_total'))}`);
  assert.ok((m.exact('switchboard_events_sent_total', { type: 'call.incoming' }) ?? 0) >= 8, 'call.incoming sent');
  assert.equal(m.exact('switchboard_quality_samples_total') ?? 0, 0, 'no quality samples were sent');
}));

test('standard process_* figures and switchboard_build_info (docs/metrics.md#process)', L(async () => {
  requireScenario();
  const m = final;
  assert.ok(m.exact('process_resident_memory_bytes') > 1e6, 'process_resident_memory_bytes');
  assert.ok(m.exact('process_start_time_seconds') > 1.7e9, 'process_start_time_seconds');
  assert.ok(m.exact('process_start_time_seconds') <= Date.now() / 1000, 'started in the past');
  assert.ok(m.exact('process_open_fds') >= 3, 'process_open_fds');
  assert.ok(m.exact('process_max_fds') >= m.exact('process_open_fds'), 'process_max_fds');
  assert.ok(m.exact('process_cpu_seconds_total') > 0, 'process_cpu_seconds_total');
  const info = m.series('switchboard_build_info');
  assert.equal(info.length, 1, 'one build_info series');
  assert.equal(info[0].value, 1);
  assert.match(info[0].labels.version, /^\d+\.\d+\.\d+$/);
  assert.match(info[0].labels.commit, /^([0-9a-f]{7,40}|unknown)$/);
}));

test('HTTP requests by route template and status: exactly the requests made, no ids in labels', L(async () => {
  requireScenario();
  const m = final;
  const got = {};
  for (const s of m.series('switchboard_http_requests_total')) {
    if (s.value === 0) continue;
    got[s.labels.route] ??= {};
    got[s.labels.route][s.labels.status] = s.value;
  }
  const want = JSON.parse(JSON.stringify(counts));
  // The last scrape may or may not count itself.
  const metricsSeen = got.metrics?.['200'];
  assert.ok(metricsSeen === scrapes || metricsSeen === scrapes - 1, `route="metrics" status 200: ${metricsSeen} for ${scrapes} scrapes`);
  delete got.metrics;
  delete got['/v1/ws']; // the WebSocket upgrade may or may not be counted
  assert.deepEqual(got, want, 'switchboard_http_requests_total{route,status} against the requests this file made');
  // Every route we used also has a latency histogram.
  for (const route of Object.keys(want)) {
    const n = Object.values(want[route]).reduce((a, b) => a + b, 0);
    assert.equal(m.exact('switchboard_http_request_seconds_count', { route }), n, `http_request_seconds_count{route="${route}"}`);
  }
  // No label anywhere holds a call id, a user id or the org id.
  const ids = [caller.id, s1.id, s2.id, org, ...callIds];
  const leaks = [];
  for (const s of m.samples) {
    for (const [k, v] of Object.entries(s.labels)) {
      if (/call_/.test(v) || ids.some((id) => v.includes(id))) leaks.push(`${s.name} ${k}="${v}"`);
    }
  }
  assert.deepEqual(leaks, [], 'labels holding ids');
}));

test('the whole exposition is comments or `name{labels} value`, and promtool check metrics passes', L(async () => {
  requireScenario();
  const m = final;
  assert.deepEqual(m.bad, [], 'lines that are neither a comment nor a sample');
  assert.ok(m.samples.length > 20, 'a real exposition');
  assert.match(m.contentType ?? '', /^text\/plain/, 'Content-Type of /metrics');
  const r = await promtoolCheck(m.text);
  console.log(`promtool check metrics: exit ${r.code}\n--- stdout ---\n${r.stdout}--- stderr ---\n${r.stderr}`);
  assert.equal(r.code, 0, `promtool check metrics exit code; output:\n${r.stdout}${r.stderr}`);
}));
