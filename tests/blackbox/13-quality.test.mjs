// docs/openapi.yaml and docs/decisions/0002: quality samples and their summary on ended
// calls, feedback after the end, and GET /v1/ops/summary for admins.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, user, connectUser, expectStatus, expectError, uniq, withLogs, everyRow } from './lib/harness.mjs';
import { scrape, ready, create, act, actOk, get, updated, incoming } from './lib-ops.mjs';

let srv;
const org = uniq('org');
const caller = user(org, 'client', uniq('caller'));
const caller2 = user(org, 'client', uniq('caller')); // another client of the same org
const sA = user(org, 'staff', uniq('staff'));
const sB = user(org, 'staff', uniq('staff')); // same org, never a participant of Q1
const admin = user(org, 'admin', uniq('admin'));
const orgX = uniq('org');
const xStaff = user(orgX, 'staff', uniq('staff'));
const xCaller = user(orgX, 'client', uniq('caller'));
const xAdmin = user(orgX, 'admin', uniq('admin'));
let wsA, wsB, wsC, wsX;
let goodSamples = 0; // samples answered 202
const calls = {}; // Q1..Q4 ids
const ended = {}; // name -> GET of the ended call

before(async () => {
  srv = await startServer(['--ring-timeout', '30s', '--connect-timeout', '30s']);
  wsA = await ready(srv, sA);
  wsB = await ready(srv, sB);
  wsC = await connectUser(srv, caller);
  wsX = await ready(srv, xStaff);
});

after(async () => {
  await srv?.stop();
});

const L = (fn) => withLogs(() => srv, fn);

function sample(rtt, jitter, loss, [ai, ao, vi, vo], candidate, iceState = 'connected') {
  return {
    at: new Date().toISOString(),
    rtt_ms: rtt,
    jitter_ms: jitter,
    packet_loss_pct: loss,
    bitrate_kbps: { audio_in: ai, audio_out: ao, video_in: vi, video_out: vo },
    candidate_type: candidate,
    ice_state: iceState,
  };
}

function postQuality(u, id, body, raw) {
  const o = { token: u.token };
  if (raw !== undefined) o.raw = raw;
  else o.body = body;
  return srv.request('POST', `/v1/calls/${encodeURIComponent(id)}/quality`, o);
}

async function sendGood(u, id, s) {
  const r = await postQuality(u, id, s);
  expectStatus(r, 202);
  goodSamples++;
}

// What the summary S must be for these samples (`QualitySummary` of docs/openapi.yaml). A figure is
// averaged over the samples that carried it (null or missing: not read yet), null if none did.
function expectedSummary(samples, reconnects = 0) {
  const n = samples.length;
  const present = (f) => samples.map(f).filter((v) => typeof v === 'number');
  const avg = (f) => (present(f).length ? present(f).reduce((a, v) => a + v, 0) / present(f).length : null);
  const max = (f) => (present(f).length ? Math.max(...present(f)) : null);
  return {
    samples: n,
    rtt_ms: { avg: avg((s) => s.rtt_ms), max: max((s) => s.rtt_ms) },
    jitter_ms: { avg: avg((s) => s.jitter_ms), max: max((s) => s.jitter_ms) },
    packet_loss_pct: { avg: avg((s) => s.packet_loss_pct), max: max((s) => s.packet_loss_pct) },
    bitrate_kbps: {
      audio_in: avg((s) => s.bitrate_kbps.audio_in),
      audio_out: avg((s) => s.bitrate_kbps.audio_out),
      video_in: avg((s) => s.bitrate_kbps.video_in),
      video_out: avg((s) => s.bitrate_kbps.video_out),
    },
    candidate_type: samples[n - 1].candidate_type,
    reconnects,
  };
}

// Deep compare with numbers within 1e-9; collects every difference.
function diff(got, want, path = 'quality') {
  const out = [];
  if (typeof want === 'number') {
    if (typeof got !== 'number' || Math.abs(got - want) > 1e-9) out.push(`${path}: ${JSON.stringify(got)} != ${want}`);
  } else if (want === null || typeof want !== 'object') {
    if (got !== want) out.push(`${path}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
  } else if (got === null || typeof got !== 'object') {
    out.push(`${path}: ${JSON.stringify(got)} is not an object`);
  } else {
    const keys = new Set([...Object.keys(want), ...Object.keys(got)]);
    for (const k of keys) {
      if (!(k in want)) out.push(`${path}.${k}: unexpected key (${JSON.stringify(got[k])})`);
      else if (!(k in got)) out.push(`${path}.${k}: missing`);
      else out.push(...diff(got[k], want[k], `${path}.${k}`));
    }
  }
  return out;
}

// Q1: both sides report; caller has a reconnect. Known numbers.
const q1Caller = [
  sample(100, 10, 0, [40, 32, 1200, 900], 'relay', 'connected'),
  sample(250, 30, 5.5, [50, 30, 800, 700], 'relay', 'disconnected'),
  sample(130, 5, 1, [30, 28, 1000, 1100], 'relay', 'connected'),
];
const q1Staff = [
  sample(90, 4, 0, [32, 40, 900, 1150], 'relay'),
  sample(110.5, 8.25, 2, [28, 36, 1100, 1250], 'relay'),
];
// Q3: only the caller reports; its first sample came before any RTT or inbound video was read,
// and jitter was never read at all.
const q3Caller = [
  sample(null, null, 0, [48, 48, null, 1800], 'host'),
  sample(20, null, 0.1, [48, 48, 2000, 1800], 'host'),
  sample(25, null, 0.2, [52, 44, 2200, 1900], 'host'),
];

test('Q1: samples from both sides while active; bad samples 400; end; GET shows the exact summary', L(async () => {
  const c = await create(srv, caller);
  calls.Q1 = c.id;
  await incoming(wsA, c.id);
  await actOk(srv, sA, c.id, 'accept');
  // Accepted already takes samples.
  await sendGood(caller, c.id, q1Caller[0]);
  await actOk(srv, caller, c.id, 'connected', { candidate_type: 'relay' });
  await sendGood(sA, c.id, q1Staff[0]);
  await sendGood(caller, c.id, q1Caller[1]);

  // Bad samples: 400 invalid_request, nothing counted.
  const base = q1Caller[2];
  const bad = [
    ['negative rtt', { ...base, rtt_ms: -1 }],
    ['negative jitter', { ...base, jitter_ms: -0.5 }],
    ['negative packet loss', { ...base, packet_loss_pct: -3 }],
    ['packet_loss_pct 150', { ...base, packet_loss_pct: 150 }],
    ['negative bitrate', { ...base, bitrate_kbps: { ...base.bitrate_kbps, video_in: -10 } }],
    ['candidate_type bogus', { ...base, candidate_type: 'bogus' }],
    ['rtt as a string', { ...base, rtt_ms: '100' }],
    ['array body', null, '[1,2,3]'],
    ['string body', null, '"hello"'],
    ['number body', null, '42'],
    ['null body', null, 'null'],
    ['malformed JSON', null, '{"rtt_ms": '],
  ];
  await everyRow(bad, async ([, body, raw]) => {
    expectError(await postQuality(caller, c.id, body, raw ?? undefined), 400, 'invalid_request');
  });

  // Who may post: a same-org non-participant 403, another org 404, the other client 403.
  expectError(await postQuality(sB, c.id, base), 403, 'forbidden');
  expectError(await postQuality(caller2, c.id, base), 403, 'forbidden');
  expectError(await postQuality(xStaff, c.id, base), 404, 'not_found');
  expectError(await postQuality(xCaller, c.id, base), 404, 'not_found');

  await sendGood(caller, c.id, q1Caller[2]);
  await sendGood(sA, c.id, q1Staff[1]);

  // Not shown before the end.
  const live = await get(srv, caller, c.id);
  assert.ok(live.quality === undefined || live.quality === null, `no quality on an active call: ${JSON.stringify(live.quality)}`);

  // Feedback before the end: 409 invalid_transition.
  const fb = await srv.request('POST', `/v1/calls/${c.id}/feedback`, { token: caller.token, body: { score: 4 } });
  const e = expectError(fb, 409, 'invalid_transition');
  assert.equal(e.details?.state, 'active', 'details.state names the current state');

  const end = await actOk(srv, sA, c.id, 'end');
  assert.equal(end.state, 'ended');
  const got = await get(srv, caller, c.id);
  ended.Q1 = got;
  const want = { caller: expectedSummary(q1Caller, 1), staff: expectedSummary(q1Staff, 0) };
  assert.deepEqual(diff(got.quality, want), [], `GET quality: ${JSON.stringify(got.quality)}`);

  // The same on the staff's GET, the org list and the call.updated event of the end.
  const byStaff = await get(srv, sA, c.id);
  assert.deepEqual(byStaff.quality, got.quality, 'staff GET shows the same quality');
  const list = await srv.request('GET', '/v1/calls?limit=50', { token: caller.token });
  expectStatus(list, 200);
  const inList = list.body.calls.find((x) => x.id === c.id);
  assert.deepEqual(inList?.quality, got.quality, 'GET /v1/calls shows the same quality');
  const ev = await updated(wsC, c.id, 'ended');
  assert.deepEqual(ev.call.quality, got.quality, 'call.updated (ended) carries the same quality');
}));

test('Q1 after the end: bad samples still 400 and change nothing; a late good sample is taken (202)', L(async () => {
  assert.ok(ended.Q1, 'Q1 did not end');
  const id = calls.Q1;
  const base = q1Staff[1];
  await everyRow([
    ['negative rtt', { ...base, rtt_ms: -5 }],
    ['packet_loss_pct 150', { ...base, packet_loss_pct: 150 }],
    ['candidate_type bogus', { ...base, candidate_type: 'bogus' }],
    ['array body', [base]],
  ], async ([, body]) => {
    expectError(await postQuality(sA, id, body), 400, 'invalid_request');
  });
  const same = await get(srv, caller, id);
  assert.deepEqual(same.quality, ended.Q1.quality, 'bad samples changed nothing');
  assert.equal(same.version, ended.Q1.version);

  // Within 60 s of the end a sample is still accepted (the last one races the hang-up).
  const late = sample(300, 20, 10, [10, 10, 100, 100], 'relay');
  await sendGood(sA, id, late);
  const after1 = await get(srv, caller, id);
  const want = { caller: expectedSummary(q1Caller, 1), staff: expectedSummary([...q1Staff, late], 0) };
  assert.deepEqual(diff(after1.quality, want), [], `after a late sample: ${JSON.stringify(after1.quality)}`);
  ended.Q1 = after1;
}));

test('quality on a ringing call is 409; Q2 is then cancelled', L(async () => {
  const c = await create(srv, caller);
  calls.Q2 = c.id;
  await incoming(wsA, c.id);
  const e = expectError(await postQuality(caller, c.id, q1Caller[0]), 409, 'invalid_transition');
  assert.equal(e.details?.state, 'ringing');
  const fb = await srv.request('POST', `/v1/calls/${c.id}/feedback`, { token: caller.token, body: { score: 3 } });
  expectError(fb, 409, 'invalid_transition');
  await actOk(srv, caller, c.id, 'cancel');
}));

test('Q3: only the caller reports; the staff side is null', L(async () => {
  const c = await create(srv, caller);
  calls.Q3 = c.id;
  await incoming(wsB, c.id);
  await actOk(srv, sB, c.id, 'accept');
  await actOk(srv, sB, c.id, 'connected', { candidate_type: 'host' });
  for (const s of q3Caller) await sendGood(caller, c.id, s);
  await actOk(srv, caller, c.id, 'end');
  const got = await get(srv, caller, c.id);
  ended.Q3 = got;
  assert.ok(got.quality && 'staff' in got.quality, `quality has a staff key: ${JSON.stringify(got.quality)}`);
  assert.equal(got.quality.staff, null, 'no samples from the staff side: null');
  assert.deepEqual(diff(got.quality.caller, expectedSummary(q3Caller, 0), 'quality.caller'), []);
}));

test('Q4: accepted, then ice_failed; neither side reported: both null', L(async () => {
  const c = await create(srv, caller);
  calls.Q4 = c.id;
  await incoming(wsA, c.id);
  await actOk(srv, sA, c.id, 'accept');
  const f = await actOk(srv, caller, c.id, 'end', { reason: 'ice_failed' });
  assert.equal(f.state, 'failed');
  const got = await get(srv, caller, c.id);
  assert.deepEqual(got.quality, { caller: null, staff: null });
}));

test('feedback after the end: 200 with {call_id,score,issues,comment}; bad scores 400; who may give it', L(async () => {
  assert.ok(ended.Q1, 'Q1 did not end');
  const id = calls.Q1;
  const path = `/v1/calls/${id}/feedback`;
  const r = await srv.request('POST', path, {
    token: caller.token, body: { score: 4, issues: ['audio', 'video'], comment: 'Echo at the start.' },
  });
  expectStatus(r, 200);
  assert.deepEqual(r.body, { call_id: id, score: 4, issues: ['audio', 'video'], comment: 'Echo at the start.' });

  const r2 = await srv.request('POST', path, { token: sA.token, body: { score: 5 } });
  expectStatus(r2, 200);
  assert.deepEqual(Object.keys(r2.body).sort(), ['call_id', 'comment', 'issues', 'score']);
  assert.equal(r2.body.call_id, id);
  assert.equal(r2.body.score, 5);
  assert.deepEqual(r2.body.issues, [], 'issues left out: []');
  assert.ok(r2.body.comment === null || r2.body.comment === '', `comment left out: ${JSON.stringify(r2.body.comment)}`);

  await everyRow([
    ['score 0', { score: 0 }],
    ['score 6', { score: 6 }],
    ['score "5"', { score: '5' }],
    ['score missing', { issues: ['audio'] }],
    ['issues not a list', { score: 3, issues: 'audio' }],
  ], async ([, body]) => {
    expectError(await srv.request('POST', path, { token: caller.token, body }), 400, 'invalid_request');
  });

  expectError(await srv.request('POST', path, { token: sB.token, body: { score: 3 } }), 403, 'forbidden');
  expectError(await srv.request('POST', path, { token: xCaller.token, body: { score: 3 } }), 404, 'not_found');

  // Feedback is not a transition.
  const c = await get(srv, caller, id);
  assert.equal(c.version, ended.Q1.version);

  // A low rating on Q3, for the ops summary's feedback section.
  const low = await srv.request('POST', `/v1/calls/${calls.Q3}/feedback`, {
    token: caller.token, body: { score: 2, issues: ['connection'], comment: 'Froze twice.' },
  });
  expectStatus(low, 200);
}));

test('quality samples counter equals the samples answered 202', L(async () => {
  const m = await scrape(srv);
  assert.equal(m.exact('switchboard_quality_samples_total'), goodSamples);
}));

test('ops summary: admin sees the org\'s last hour; staff and clients 403; other org isolated', L(async () => {
  for (const k of ['Q1', 'Q2', 'Q3', 'Q4']) assert.ok(calls[k], `call ${k} was not made`);
  // One call in the other org, so its summary is not trivially empty.
  const xc = await create(srv, xCaller);
  await incoming(wsX, xc.id);
  await actOk(srv, xCaller, xc.id, 'cancel');

  const r = await srv.request('GET', '/v1/ops/summary', { token: admin.token });
  expectStatus(r, 200);
  const s = r.body;
  console.log(`ops summary: ${JSON.stringify(s)}`);
  assert.equal(s.window_seconds, 3600);
  const problems = [];
  const eq = (path, got, want) => {
    if (typeof want === 'number' ? !(typeof got === 'number' && Math.abs(got - want) <= 1e-9) : JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(`${path}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
    }
  };
  eq('funnel.created', s.funnel?.created, 4);
  eq('funnel.accepted', s.funnel?.accepted, 3);
  eq('funnel.connected', s.funnel?.connected, 2);
  const nz = (o) => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== 0).sort());
  eq('funnel.by_state', nz(s.funnel?.by_state), { cancelled: 1, ended: 2, failed: 1 });
  eq('funnel.by_reason', nz(s.funnel?.by_reason), { 'cancelled/caller_cancelled': 1, 'ended/hangup': 2, 'failed/ice_failed': 1 });
  eq('setup_seconds.count', s.setup_seconds?.count, 3);
  eq('connect_seconds.count', s.connect_seconds?.count, 2);
  for (const h of ['setup_seconds', 'connect_seconds']) {
    const { p50, p90, p99 } = s[h] ?? {};
    if (![p50, p90, p99].every((x) => typeof x === 'number' && x >= 0 && x < 60) || !(p50 <= p90 && p90 <= p99)) {
      problems.push(`${h}: percentiles ${JSON.stringify(s[h])}`);
    }
  }
  eq('ice.connected', s.ice?.connected, 2);
  eq('ice.failed', s.ice?.failed, 1);
  eq('ice.success_rate', s.ice?.success_rate, 2 / 3);
  eq('ice.turn_share', s.ice?.turn_share, 1 / 2);
  if (!Array.isArray(s.worst_calls)) problems.push(`worst_calls is not a list: ${JSON.stringify(s.worst_calls)}`);
  const mine = new Set(Object.values(calls));
  const mentioned = JSON.stringify(s.worst_calls ?? []).match(/call_[A-Za-z0-9]+/g) ?? [];
  for (const id of mentioned) if (!mine.has(id)) problems.push(`worst_calls names a call not of this org: ${id}`);
  // Q1 (300 ms rtt, 10 % loss at worst) is a worse call than Q3 (25 ms, 0.2 %).
  const order = (s.worst_calls ?? []).map((w) => w.id ?? w.call_id);
  if (order.includes(calls.Q3) && order.indexOf(calls.Q1) > order.indexOf(calls.Q3)) {
    problems.push(`worst_calls ranks Q3 before Q1: ${order}`);
  }
  if (!order.includes(calls.Q1)) problems.push(`worst_calls leaves out Q1, the worst call: ${order}`);
  // Feedback: Q1 caller 4 (audio, video), Q1 staff 5, Q3 caller 2 (connection).
  eq('feedback.count', s.feedback?.count, 3);
  eq('feedback.average_score', s.feedback?.average_score, 11 / 3);
  eq('feedback.by_score', s.feedback?.by_score, { 1: 0, 2: 1, 3: 0, 4: 1, 5: 1 });
  eq('feedback.issues', s.feedback?.issues, { audio: 1, connection: 1, video: 1 });
  eq('feedback.low_scores', s.feedback?.low_scores, [
    { call_id: calls.Q3, from: 'caller', score: 2, issues: ['connection'], comment: 'Froze twice.' },
  ]);
  assert.deepEqual(problems, []);

  // The other org's admin sees only its own call.
  const rx = await srv.request('GET', '/v1/ops/summary', { token: xAdmin.token });
  expectStatus(rx, 200);
  assert.equal(rx.body.funnel?.created, 1, `other org's summary: ${JSON.stringify(rx.body.funnel)}`);
  assert.equal(rx.body.funnel?.accepted, 0);
  assert.equal(rx.body.feedback?.count, 0, 'no feedback of org A in org X\'s summary');
  assert.equal(rx.body.feedback?.average_score, null);
  assert.ok(!JSON.stringify(rx.body).includes(calls.Q1), 'no call of org A in org X\'s summary');

  expectError(await srv.request('GET', '/v1/ops/summary', { token: sA.token }), 403, 'forbidden');
  expectError(await srv.request('GET', '/v1/ops/summary', { token: caller.token }), 403, 'forbidden');
  expectError(await srv.request('GET', '/v1/ops/summary'), 401, 'unauthenticated');
}));
