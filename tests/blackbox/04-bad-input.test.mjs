// Issue 2: every provokable row of docs/errors.md, with the exact error body, and proof that
// a refused request wrote nothing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  startServer, user, readyStaff, createCall, getCall, action, listAll, mintToken,
  expectStatus, expectError, uniq, withLogs, everyRow, SECRET,
} from './lib/harness.mjs';

let srv; // generous rate limits
let limited; // default rate limits
const org = uniq('org');
const client = user(org, 'client', 'cli-1');
const client2 = user(org, 'client', 'cli-2');
const s1 = user(org, 'staff', 'st-1');
const s2 = user(org, 'staff', 'st-2');
let ws1, ws2;

before(async () => {
  srv = await startServer(['--ring-timeout', '60s']);
  ws1 = await readyStaff(srv, s1);
  ws2 = await readyStaff(srv, s2);
});

after(async () => {
  await srv?.stop();
  await limited?.stop();
});

const L = (fn) => withLogs(() => [srv, limited], fn);

async function snapshotCalls(u = client) {
  return (await listAll(srv, u, '?limit=100')).calls;
}

async function unchanged(label, beforeCalls, u = client) {
  assert.deepEqual(await snapshotCalls(u), beforeCalls, `${label}: the calls changed after a refused request`);
}

test('malformed bodies and wrong types on create: 400 invalid_request, nothing written', L(async () => {
  const before = await snapshotCalls();
  assert.deepEqual(before, []);
  const rows = [
    ['truncated JSON', { raw: '{"media": {' }],
    ['not JSON', { raw: 'hello' }],
    ['trailing garbage', { raw: '{} x' }],
    ['an array', { raw: '[]' }],
    ['a string', { raw: '"call me"' }],
    ['media as a string', { body: { media: 'x' } }],
    ['media flags not booleans', { body: { media: { audio: 'yes', video: true } } }],
    ['staff_id as a number', { body: { staff_id: 5 } }],
    ['staff_id with bad characters', { body: { staff_id: 'bad id!' } }],
    ['staff_id too long', { body: { staff_id: 'x'.repeat(129) } }],
    ['staff_id empty', { body: { staff_id: '' } }],
    ['metadata as a string', { body: { metadata: 'x' } }],
    ['metadata not a string map', { body: { metadata: { a: 1 } } }],
    ['metadata nested', { body: { metadata: { a: { b: 'c' } } } }],
    ['metadata over 4 KiB', { body: { metadata: { note: 'x'.repeat(4 * 1024 + 1) } } }],
    ['metadata over 4 KiB in many keys', { body: { metadata: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`key${i}`, 'v'.repeat(50)])) } }],
  ];
  await everyRow(rows, async ([label, o]) => {
    const r = await srv.request('POST', '/v1/calls', { token: client.token, ...o });
    expectError(r, 400, 'invalid_request', { retryable: false });
    await unchanged(label, before);
  });
  // Control: the same client can create a well-formed call with 3 KiB of metadata.
  const ok = await createCall(srv, client, { metadata: { note: 'y'.repeat(3 * 1024) } });
  assert.equal(ok.metadata.note.length, 3 * 1024);
  expectStatus(await action(srv, client, ok.id, 'cancel'), 200);
}));

test('a body over 64 KiB is 413 payload_too_large and writes nothing', L(async () => {
  const before = await snapshotCalls();
  const big = JSON.stringify({ metadata: { note: 'z'.repeat(65 * 1024) } });
  assert.ok(big.length > 65 * 1024);
  const r = await srv.request('POST', '/v1/calls', { token: client.token, raw: big });
  expectError(r, 413, 'payload_too_large');
  await unchanged('413', before);
  const r2 = await srv.request('PUT', '/v1/staff/me/availability', {
    token: s1.token, raw: JSON.stringify({ status: 'available', pad: 'p'.repeat(65 * 1024) }),
  });
  expectError(r2, 413, 'payload_too_large');
  // The server still answers afterwards.
  expectStatus(await srv.request('GET', '/v1/calls', { token: client.token }), 200);
}));

test('bad query parameters and bad call ids: 400 invalid_request', L(async () => {
  const rows = [];
  for (const q of ['?state=bogus', '?state=RINGING', '?limit=abc', '?limit=-1', '?limit=1.5']) {
    rows.push([`GET /v1/calls${q}`, 'GET', `/v1/calls${q}`, client]);
  }
  for (const id of ['bad!id', 'a%20b', 'x'.repeat(129), 'semi%3Bcolon']) {
    rows.push([`GET /v1/calls/${id.slice(0, 20)}`, 'GET', `/v1/calls/${id}`, client]);
    for (const verb of ['accept', 'cancel', 'end']) {
      rows.push([`POST /v1/calls/${id.slice(0, 20)}/${verb}`, 'POST', `/v1/calls/${id}/${verb}`, verb === 'cancel' ? client : s1]);
    }
  }
  await everyRow(rows, async ([, method, path, u]) => {
    const r = await srv.request(method, path, { token: u.token, body: method === 'POST' ? {} : undefined });
    expectError(r, 400, 'invalid_request');
  });
  // A well-formed id that does not exist is 404.
  expectError(await srv.request('GET', `/v1/calls/${'k'.repeat(128)}`, { token: client.token }), 404, 'not_found');
  expectError(await srv.request('GET', '/v1/calls/Ab.9_:@-x', { token: client.token }), 404, 'not_found');
  // Unknown routes also answer the error shape.
  expectError(await srv.request('GET', '/v1/no-such-route', { token: client.token }), 404, 'not_found');
}));

test('availability: unknown status or wrong type is 400 and changes nothing', L(async () => {
  const before = (await (await srv.request('GET', '/v1/staff/availability', { token: s1.token })).body).staff;
  for (const body of [{ status: 'busy' }, { status: 5 }, { status: 'AVAILABLE' }, {}, []]) {
    expectError(await srv.request('PUT', '/v1/staff/me/availability', { token: s2.token, body }), 400, 'invalid_request');
  }
  expectError(await srv.request('PUT', '/v1/staff/me/availability', { token: s2.token, raw: '{"status":' }), 400, 'invalid_request');
  const after = (await srv.request('GET', '/v1/staff/availability', { token: s1.token })).body.staff;
  const pick = (l) => l.map(({ id, status, state }) => ({ id, status, state })).sort((a, b) => a.id.localeCompare(b.id));
  assert.deepEqual(pick(after), pick(before));
}));

function forged() {
  const now = Math.floor(Date.now() / 1000);
  const base = { sub: 'forger', org, role: 'client', name: 'F' };
  const good = mintToken(base);
  const [h, p] = good.split('.');
  // Same header and signature, payload changed to another role.
  const tamperedPayload = Buffer.from(JSON.stringify({ ...base, role: 'admin', exp: now + 3600, iat: now })).toString('base64url');
  const hs384 = (() => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS384', typ: 'JWT' })).toString('base64url');
    const input = `${header}.${p}`;
    return `${input}.${createHmac('sha384', SECRET).update(input).digest('base64url')}`;
  })();
  return [
    ['no Authorization header', null],
    ['empty bearer', 'Bearer '],
    ['not a JWT', 'Bearer not-a-jwt'],
    ['two segments', `Bearer ${h}.${p}`],
    ['garbage segments', 'Bearer a.b.c'],
    ['Basic scheme', 'Basic dXNlcjpwYXNz'],
    ['token without scheme', good],
    ['expired 2 minutes ago', `Bearer ${mintToken({ ...base, exp: now - 120, iat: now - 3600 })}`],
    ['not valid before 2 minutes from now', `Bearer ${mintToken({ ...base, nbf: now + 120 })}`],
    ['tampered payload', `Bearer ${h}.${tamperedPayload}.${good.split('.')[2]}`],
    ['HS256 with another secret', `Bearer ${mintToken(base, { secret: 'another-secret-another-secret-0123456789' })}`],
    ['alg none', `Bearer ${mintToken(base, { alg: 'none' })}`],
    ['alg none with a signature', `Bearer ${mintToken(base, { alg: 'none' })}${good.split('.')[2]}`],
    ['HS384 (algorithm not configured)', `Bearer ${hs384}`],
    ['missing exp', `Bearer ${mintToken({ ...base, exp: null })}`],
    ['exp not a number', `Bearer ${mintToken({ ...base, exp: 'tomorrow' })}`],
    ['sub with a space', `Bearer ${mintToken({ ...base, sub: 'bad id' })}`],
    ['sub too long', `Bearer ${mintToken({ ...base, sub: 'u'.repeat(129) })}`],
    ['empty sub', `Bearer ${mintToken({ ...base, sub: '' })}`],
    ['missing sub', `Bearer ${mintToken({ org, role: 'client' })}`],
    ['org with a slash', `Bearer ${mintToken({ ...base, org: 'a/b' })}`],
    ['missing org', `Bearer ${mintToken({ sub: 'forger', role: 'client' })}`],
    ['unknown role', `Bearer ${mintToken({ ...base, role: 'superuser' })}`],
    ['missing role', `Bearer ${mintToken({ sub: 'forger', org })}`],
  ];
}

test('missing, malformed, expired or wrongly signed tokens: 401 unauthenticated, nothing written', L(async () => {
  const before = await listAll(srv, s1, '?limit=100');
  await everyRow(forged(), async ([, auth]) => {
    const headers = auth === null ? {} : { authorization: auth };
    for (const [method, path, body] of [
      ['GET', '/v1/calls', undefined],
      ['POST', '/v1/calls', {}],
      ['GET', '/v1/ice-servers', undefined],
      ['PUT', '/v1/staff/me/availability', { status: 'available' }],
    ]) {
      const r = await srv.request(method, path, { headers, body });
      expectError(r, 401, 'unauthenticated');
    }
  });
  assert.deepEqual(await listAll(srv, s1, '?limit=100'), before, 'no call was written');
  // Controls: a good token works, and one expired 5 s ago is inside the 30 s leeway.
  const now = Math.floor(Date.now() / 1000);
  expectStatus(await srv.request('GET', '/v1/calls', { token: mintToken({ sub: 'forger', org, role: 'client', exp: now - 5 }) }), 200);
}));

test('invalid_transition carries details.state; refused transitions write nothing', L(async () => {
  const c = await createCall(srv, client);
  await ws1.waitType('call.incoming', (m) => m.call?.id === c.id);
  await ws2.waitType('call.incoming', (m) => m.call?.id === c.id);
  const ringing = await getCall(srv, client, c.id);

  for (const [u, verb, body] of [[client, 'end', {}], [client, 'connected', {}], [client, 'feedback', { score: 3 }]]) {
    const e = expectError(await action(srv, u, c.id, verb, body), 409, 'invalid_transition');
    assert.deepEqual(e.details, { state: 'ringing' }, `${verb} on a ringing call`);
  }
  assert.deepEqual(await getCall(srv, client, c.id), ringing, 'nothing written');

  expectStatus(await action(srv, s1, c.id, 'accept'), 200);
  const accepted = await getCall(srv, client, c.id);
  const eCancel = expectError(await action(srv, client, c.id, 'cancel'), 409, 'invalid_transition');
  assert.deepEqual(eCancel.details, { state: 'accepted' });
  const eFb = expectError(await action(srv, client, c.id, 'feedback', { score: 3 }), 409, 'invalid_transition');
  assert.deepEqual(eFb.details, { state: 'accepted' });
  // Wrong types on transitions of an accepted call are 400 and write nothing.
  expectError(await action(srv, client, c.id, 'end', { reason: 5 }), 400, 'invalid_request');
  expectError(await srv.request('POST', `/v1/calls/${c.id}/end`, { token: client.token, raw: '{"reason":' }), 400, 'invalid_request');
  expectError(await action(srv, client, c.id, 'quality', { rtt_ms: 'fast' }), 400, 'invalid_request');
  expectError(await action(srv, client, c.id, 'quality', { candidate_type: 'carrier-pigeon' }), 400, 'invalid_request');
  assert.deepEqual(await getCall(srv, client, c.id), accepted, 'nothing written');

  expectStatus(await action(srv, client, c.id, 'connected'), 200);
  const ended = await action(srv, s1, c.id, 'end');
  expectStatus(ended, 200);
  const snapshot = await getCall(srv, client, c.id);

  await everyRow([
    ['a second end', client, 'end'],
    ['accept on an ended call (by the winner)', s1, 'accept'],
    ['connected on an ended call', s1, 'connected'],
    ['cancel on an ended call', client, 'cancel'],
  ], async ([, u, verb]) => {
    const e = expectError(await action(srv, u, c.id, verb), 409, 'invalid_transition');
    assert.deepEqual(e.details, { state: 'ended' });
  });
  // The other rung staff member: refused with 409 (call_already_taken or invalid_transition).
  const late = await action(srv, s2, c.id, 'accept');
  assert.equal(late.status, 409, late.text);
  assert.ok(['call_already_taken', 'invalid_transition'].includes(late.body.error.code), late.text);
  // Feedback with a bad score is 400.
  for (const body of [{ score: 6 }, { score: 0 }, { score: 'good' }, { score: 3, issues: 'audio' }, {}]) {
    expectError(await action(srv, client, c.id, 'feedback', body), 400, 'invalid_request');
  }
  assert.deepEqual(await getCall(srv, client, c.id), snapshot, 'nothing written');

  // Accept on a cancelled call.
  const c2 = await createCall(srv, client);
  await ws1.waitType('call.incoming', (m) => m.call?.id === c2.id);
  expectStatus(await action(srv, client, c2.id, 'cancel'), 200);
  const e6 = expectError(await action(srv, s1, c2.id, 'accept'), 409, 'invalid_transition');
  assert.deepEqual(e6.details, { state: 'cancelled' });
  assert.equal((await getCall(srv, client, c2.id)).version, 2);
}));

test('call_in_progress names the open call; no_staff_available is retryable; neither writes', L(async () => {
  const open = await createCall(srv, client);
  const before = await snapshotCalls();
  const e = expectError(await srv.request('POST', '/v1/calls', { token: client.token, body: {} }), 409, 'call_in_progress');
  assert.deepEqual(e.details, { call_id: open.id });
  await unchanged('call_in_progress', before);
  expectStatus(await action(srv, client, open.id, 'cancel'), 200);

  // An org whose only staff member is away.
  const lonely = uniq('org');
  const lc = user(lonely, 'client');
  const ls = user(lonely, 'staff');
  const w = await readyStaff(srv, ls);
  expectStatus(await srv.request('PUT', '/v1/staff/me/availability', { token: ls.token, body: { status: 'away' } }), 200);
  const n = expectError(await srv.request('POST', '/v1/calls', { token: lc.token, body: {} }), 409, 'no_staff_available',
    { retryable: true });
  assert.ok(n);
  // An org with no staff at all.
  const empty = user(uniq('org'), 'client');
  expectError(await srv.request('POST', '/v1/calls', { token: empty.token, body: {} }), 409, 'no_staff_available',
    { retryable: true });
  assert.deepEqual((await listAll(srv, ls, '?limit=10')).calls, [], 'no call was written');
  assert.deepEqual((await listAll(srv, lc, '?limit=10')).calls, []);
  await w.close();
}));

test('flooding with the default limits gives 429 rate_limited with Retry-After', L(async () => {
  limited = await startServer([], { defaultRates: true });
  const flooder = user(org, 'client', 'flooder');
  const bystander = user(org, 'client', 'bystander');
  const results = await Promise.all(
    Array.from({ length: 120 }, () => limited.request('GET', '/v1/calls', { token: flooder.token })),
  );
  const statuses = results.map((r) => r.status);
  const limitedOnes = results.filter((r) => r.status === 429);
  assert.ok(limitedOnes.length > 0, `no 429 among 120 requests at once: ${JSON.stringify(statuses)}`);
  assert.ok(results.every((r) => r.status === 200 || r.status === 429), `statuses: ${JSON.stringify(statuses)}`);
  assert.ok(statuses.filter((s) => s === 200).length >= 20, 'the burst allowance was served');
  for (const r of limitedOnes) {
    expectError(r, 429, 'rate_limited', { retryable: true });
    const ra = r.headers.get('retry-after');
    assert.ok(ra !== null, 'Retry-After is present');
    assert.match(ra, /^\d+$/, `Retry-After is whole seconds: ${ra}`);
    assert.ok(Number(ra) >= 1 && Number(ra) <= 60, `Retry-After is sensible: ${ra}`);
  }
  // Another user behind the same IP is not punished for it.
  expectStatus(await limited.request('GET', '/v1/calls', { token: bystander.token }), 200);
}));
