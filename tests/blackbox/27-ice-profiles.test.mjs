// docs/config.md#ice-server-profiles: --ice-profiles. Each accepted call draws one profile by weight, records it as
// `ice_profile`, both participants get its servers (pushed, and on /v1/ice-servers?call_id=),
// the ICE metrics carry a `profile` label, the ops summary compares the profiles, and a bad
// profiles file stops the start with one line naming the flag.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BINARY, SECRET, startServer, user, uniq, readyStaff, connectUser, createCall, action,
  expectStatus, expectError,
} from './lib/harness.mjs';
import { scrape } from './lib-ops.mjs';

const PROFILES = [
  { name: 'udp', weight: 50, stun_urls: ['stun:stun.test:3478'], turn_urls: ['turn:turn.test:3478?transport=udp'] },
  { name: 'tls443', weight: 50, stun_urls: ['stun:stun.test:3478'], turn_urls: ['turns:turn.test:443?transport=tcp'] },
];
const urlsOf = (body) => body.ice_servers.flatMap((s) => s.urls);
const urlsOfProfile = (name) => {
  const p = PROFILES.find((x) => x.name === name);
  return [...p.stun_urls, ...p.turn_urls];
};

let dir;
let srv;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-profiles-'));
  writeFileSync(join(dir, 'profiles.json'), JSON.stringify(PROFILES));
  srv = await startServer(['--ice-profiles', join(dir, 'profiles.json'), '--turn-secret', 'turn-secret']);
});

after(async () => {
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('calls draw both profiles; each side gets its call\'s servers; metrics and ops summary by profile', async () => {
  const org = uniq('org');
  const staff = user(org, 'staff');
  const client = user(org, 'client');
  const other = user(org, 'client');
  const admin = user(org, 'admin');
  const staffWs = await readyStaff(srv, staff);
  const clientWs = await connectUser(srv, client);
  const drawn = new Set();
  // Each draw is a fair coin: 30 calls all on one side is a chance of 1 in 2^29.
  for (let i = 0; i < 30 && drawn.size < 2; i++) {
    const c = await createCall(srv, client);
    assert.equal(c.ice_profile, null, 'no profile before the accept');
    const accepted = await action(srv, staff, c.id, 'accept');
    expectStatus(accepted, 200);
    const profile = accepted.body.ice_profile;
    assert.ok(profile === 'udp' || profile === 'tls443', `drew ${profile}`);
    drawn.add(profile);
    for (const [ws, who] of [[staffWs, staff], [clientWs, client]]) {
      const pushed = await ws.waitType('ice_servers');
      assert.deepEqual(urlsOf(pushed), urlsOfProfile(profile), `${who.role}: pushed servers of ${profile}`);
      const r = await srv.request('GET', `/v1/ice-servers?call_id=${c.id}`, { token: who.token });
      expectStatus(r, 200);
      assert.deepEqual(urlsOf(r.body), urlsOfProfile(profile), `${who.role}: fetched servers of ${profile}`);
    }
    expectError(await srv.request('GET', `/v1/ice-servers?call_id=${c.id}`, { token: other.token }), 403, 'forbidden');
    const update = await clientWs.waitFor((m) => m.type === 'call.updated' && m.call.id === c.id && m.call.state === 'accepted');
    assert.equal(update.call.ice_profile, profile, 'call.updated carries ice_profile');
    expectStatus(await action(srv, client, c.id, 'connected', { candidate_type: profile === 'udp' ? 'srflx' : 'relay' }), 200);
    expectStatus(await action(srv, staff, c.id, 'end'), 200);
    assert.equal((await srv.request('GET', `/v1/calls/${c.id}`, { token: client.token })).body.ice_profile, profile);
  }
  assert.equal(drawn.size, 2, 'both profiles drawn');
  expectError(await srv.request('GET', '/v1/ice-servers?call_id=call_nope', { token: client.token }), 404, 'not_found');
  const plain = await srv.request('GET', '/v1/ice-servers', { token: client.token });
  assert.deepEqual(urlsOf(plain.body), urlsOfProfile('udp'), 'without call_id: the first profile');

  const m = await scrape(srv);
  for (const name of drawn) {
    assert.ok(m.sum('switchboard_ice_results_total', { result: 'connected', profile: name }) >= 1, `ice results of ${name}`);
    assert.ok(m.sum('switchboard_call_connect_seconds_count', { profile: name }) >= 1, `connect time of ${name}`);
  }
  const summary = await srv.request('GET', '/v1/ops/summary', { token: admin.token });
  expectStatus(summary, 200);
  const byName = Object.fromEntries(summary.body.ice_profiles.map((p) => [p.profile, p]));
  assert.deepEqual(Object.keys(byName).sort(), ['tls443', 'udp']);
  for (const p of Object.values(byName)) {
    assert.equal(p.success_rate, 1);
    assert.equal(p.connected, p.accepted);
    assert.equal(p.connect_seconds.count, p.connected);
  }
});

test('a bad profiles file stops the start with one line naming --ice-profiles', () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify([{ name: 'udp', wieght: 50 }]));
  const r = spawnSync(BINARY, ['--listen', '127.0.0.1:0', '--db', `sqlite:${join(dir, 'x.db')}`,
    '--jwt-secret', SECRET, '--ice-profiles', bad], { encoding: 'utf8', timeout: 5000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--ice-profiles: ".*bad\.json": profile 1: unknown key "wieght"/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});
