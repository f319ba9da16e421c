// Issue 2, item 7: JSON log lines, one event a line, with request id, org, user and call id, and
// never a token.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, user, uniq, readyStaff, createCall, poll, expectStatus } from './lib/harness.mjs';

let srv;
before(async () => {
  srv = await startServer([]);
});
after(async () => {
  await srv?.stop();
});

const parsed = () => srv.logs.filter((l) => l.trim() !== '').map((l) => JSON.parse(l));

test('every stdout line is one JSON object with ts, level and event', async () => {
  const st = user(uniq('org'), 'staff');
  await readyStaff(srv, st);
  const lines = srv.logs.filter((l) => l.trim() !== '');
  assert.ok(lines.length > 3, `some lines: ${lines.length}`);
  for (const line of lines) {
    const o = JSON.parse(line);
    assert.equal(typeof o.event, 'string', line);
    assert.equal(typeof o.level, 'string', line);
    assert.match(o.ts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, line);
  }
});

test('http.request names request id, org, user and call id; call.transition names call and org; no token anywhere', async () => {
  const org = uniq('org');
  const st = user(org, 'staff');
  const client = user(org, 'client');
  await readyStaff(srv, st);
  const c = await createCall(srv, client);
  const requestId = uniq('req');
  const r = await srv.request('POST', `/v1/calls/${c.id}/accept`, {
    token: st.token,
    body: {},
    headers: { 'x-request-id': requestId },
  });
  expectStatus(r, 200);
  assert.equal(r.headers.get('x-request-id'), requestId, 'the request id is echoed');

  const line = await poll(() => parsed().find((o) => o.event === 'http.request' && o.request_id === requestId), {
    what: 'the http.request line of the accept',
  });
  assert.deepEqual(
    [line.route, line.status, line.org, line.user, line.call_id, line.method],
    ['/v1/calls/{id}/accept', 200, org, st.id, c.id, 'POST'],
    JSON.stringify(line),
  );
  const created = parsed().find((o) => o.event === 'http.request' && o.route === '/v1/calls' && o.call_id === c.id);
  assert.ok(created, 'the create line names the new call');
  assert.equal(created.user, client.id);

  const transition = parsed().find((o) => o.event === 'call.transition' && o.call_id === c.id && o.to === 'accepted');
  assert.ok(transition, 'a call.transition line for the accept');
  assert.deepEqual([transition.org, transition.from, transition.staff], [org, 'ringing', st.id]);

  // A request with a token that fails verification must not be logged with it either.
  const forged = `${client.token.slice(0, -4)}AAAA`;
  await srv.request('GET', `/v1/calls/${c.id}`, { token: forged });
  const all = srv.logs.join('\n');
  for (const t of [st.token, client.token, forged]) {
    assert.ok(!all.includes(t), 'a whole token is in the logs');
    assert.ok(!all.includes(t.split('.')[2]), 'a token signature is in the logs');
  }
});
