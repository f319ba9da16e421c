// Issue 2: Idempotency-Key on POST /v1/calls.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, user, readyStaff, action, listAll, expectStatus, expectError, uniq, withLogs,
} from './lib/harness.mjs';

let srv;
const org = uniq('org');
const st = user(org, 'staff');
let wsSt;

before(async () => {
  srv = await startServer(['--ring-timeout', '60s']);
  wsSt = await readyStaff(srv, st);
});

after(async () => {
  await srv?.stop();
});

const L = (fn) => withLogs(() => srv, fn);

const create = (u, key, body = {}) =>
  srv.request('POST', '/v1/calls', { token: u.token, body, headers: key ? { 'idempotency-key': key } : {} });

test('the same Idempotency-Key twice gives 201 both times with the same call', L(async () => {
  const cl = user(org, 'client');
  const key = uniq('key');
  const a = await create(cl, key, { metadata: { try: '1' } });
  expectStatus(a, 201);
  const b = await create(cl, key, { metadata: { try: '1' } });
  expectStatus(b, 201);
  assert.equal(b.body.id, a.body.id, 'the retry returns the same call');
  assert.equal(b.body.version, 1);
  assert.equal(b.body.state, 'ringing');
  const list = await listAll(srv, cl);
  assert.deepEqual(list.calls.map((c) => c.id), [a.body.id], 'only one call was created');

  // A different key while the first call is open: call_in_progress naming it.
  const other = await create(cl, uniq('key'));
  const e = expectError(other, 409, 'call_in_progress');
  assert.deepEqual(e.details, { call_id: a.body.id });
  // No key at all: the same.
  expectError(await create(cl, null), 409, 'call_in_progress');
  assert.deepEqual((await listAll(srv, cl)).calls.map((c) => c.id), [a.body.id]);

  // The retry answers the call as it is now.
  await wsSt.waitType('call.incoming', (m) => m.call?.id === a.body.id);
  expectStatus(await action(srv, st, a.body.id, 'accept'), 200);
  const c = await create(cl, key);
  expectStatus(c, 201);
  assert.equal(c.body.id, a.body.id);
  assert.equal(c.body.state, 'accepted');
  assert.equal(c.body.version, 2);
  expectStatus(await action(srv, cl, a.body.id, 'end'), 200);
  const d = await create(cl, key);
  expectStatus(d, 201);
  assert.equal(d.body.id, a.body.id, 'still the same call after it ended');
  assert.equal(d.body.state, 'ended');
  assert.equal((await listAll(srv, cl)).calls.length, 1);

  // A new key after the end creates a new call.
  const fresh = await create(cl, uniq('key'));
  expectStatus(fresh, 201);
  assert.notEqual(fresh.body.id, a.body.id);
  expectStatus(await action(srv, cl, fresh.body.id, 'cancel'), 200);
}));

test('concurrent retries with one key create exactly one call', L(async () => {
  const cl = user(org, 'client');
  const key = uniq('key');
  const results = await Promise.all(Array.from({ length: 20 }, () => create(cl, key)));
  for (const r of results) expectStatus(r, 201);
  const ids = new Set(results.map((r) => r.body.id));
  assert.equal(ids.size, 1, `all retries name one call: ${[...ids]}`);
  assert.equal((await listAll(srv, cl)).calls.length, 1);
  expectStatus(await action(srv, cl, [...ids][0], 'cancel'), 200);
}));

test('a key belongs to its client: another client using the same key gets its own call', L(async () => {
  const key = uniq('shared-key');
  const c1 = user(org, 'client');
  const c2 = user(org, 'client');
  const a = await create(c1, key);
  const b = await create(c2, key);
  expectStatus(a, 201);
  expectStatus(b, 201);
  assert.notEqual(a.body.id, b.body.id, 'another client never gets the first client\'s call');
  assert.equal(b.body.caller.id, c2.id);
  // Same key in another org.
  const c3 = user(uniq('org'), 'client');
  const st3 = user(c3.org, 'staff');
  await readyStaff(srv, st3);
  const c = await create(c3, key);
  expectStatus(c, 201);
  assert.equal(c.body.org_id, c3.org);
  for (const [u, r] of [[c1, a], [c2, b], [c3, c]]) expectStatus(await action(srv, u, r.body.id, 'cancel'), 200);
}));
