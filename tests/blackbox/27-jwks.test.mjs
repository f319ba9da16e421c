// docs/decisions/0007, --jwt-jwks-url: keys come from the identity provider's JWKS, chosen by the
// token's kid with the algorithm fixed by configuration; the set is cached, refreshed on an
// unknown kid (rate-limited), and start-up does not wait for it. A local JWKS server rotates
// its key mid-run and counts how often the server fetches it.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { scrape } from './lib-ops.mjs';
import { BINARY, startServer, uniq, expectStatus, poll, delay, connectUser } from './lib/harness.mjs';

const servers = [];
const providers = [];
after(async () => {
  for (const s of servers) await s.stop();
  for (const p of providers) await new Promise((res) => p.server.close(res));
});

// The refresh gap is lowered from 10 s so the test does not wait through it.
const GAP_MS = 3000;

async function start(jwksUrl, extra = []) {
  const srv = await startServer(['--jwt-jwks-url', jwksUrl, '--jwt-jwks-refresh-gap', `${GAP_MS}ms`, ...extra], {
    secret: null,
  });
  servers.push(srv);
  return srv;
}

// An identity provider's JWKS endpoint: serves `provider.keys`, or `provider.status` when set.
async function startProvider(keys) {
  const provider = { keys, status: 200, hits: [] };
  provider.server = createServer((req, res) => {
    provider.hits.push(Date.now());
    if (provider.status !== 200) {
      res.writeHead(provider.status, { 'content-type': 'text/plain' });
      res.end('unavailable');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=600' });
    res.end(JSON.stringify({ keys: provider.keys }));
  });
  await new Promise((res) => provider.server.listen(0, '127.0.0.1', res));
  provider.url = `http://127.0.0.1:${provider.server.address().port}/.well-known/jwks.json`;
  providers.push(provider);
  return provider;
}

const rsaKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwkOf = (pair, kid) => ({ ...pair.publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' });
const b64url = (x) => Buffer.from(x).toString('base64url');

function signed(pair, kid, claims, alg = 'RS256') {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg, typ: 'JWT', kid };
  const body = { iat: now, exp: now + 3600, ...claims };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(body))}`;
  const signer = createSign('SHA256').update(input);
  const sig = alg === 'ES256' ? signer.sign({ key: pair.privateKey, dsaEncoding: 'ieee-p1363' }) : signer.sign(pair.privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

const client = () => ({ sub: uniq('u'), org: uniq('org'), role: 'client' });
const iceWith = (srv, token) => srv.request('GET', '/v1/ice-servers', { token });

test('a key rotated mid-run: new tokens pass after the unknown-kid refresh, tokens of the withdrawn key are refused, refreshes are rate-limited', async () => {
  const keyA = rsaKey();
  const keyB = rsaKey();
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // An EC key in the set is ignored: the server is pinned to RS256.
  const provider = await startProvider([jwkOf(keyA, 'key-a'), { ...ec.publicKey.export({ format: 'jwk' }), kid: 'key-ec' }]);
  const srv = await start(provider.url);
  await poll(async () => (await srv.request('GET', '/readyz')).status === 200, { what: 'the first key set' });
  assert.equal(provider.hits.length, 1, 'one fetch at start');

  const alice = client();
  const tokenA = signed(keyA, 'key-a', alice);
  expectStatus(await iceWith(srv, tokenA), 200);
  // Another key under A's kid, an ES256 token and a kid-less token are refused.
  for (const [label, token] of [
    ['signed by B, naming key-a', signed(keyB, 'key-a', alice)],
    ['ES256 with the EC key of the set', signed(ec, 'key-ec', alice, 'ES256')],
    ['no kid', signed(keyA, undefined, alice)],
  ]) {
    const r = await iceWith(srv, token);
    assert.equal(r.status, 401, `${label}: ${r.status} ${r.text}`);
    assert.equal(r.body?.error?.code, 'unauthenticated', label);
  }

  // The provider rotates: only B is published from now on.
  provider.keys = [jwkOf(keyB, 'key-b')];
  const bob = client();
  const tokenB = signed(keyB, 'key-b', bob);
  const rotatedAt = Date.now();
  await poll(async () => (await iceWith(srv, tokenB)).status === 200, {
    timeoutMs: GAP_MS + 5000,
    intervalMs: 200,
    what: 'a token of the new key to pass',
  });
  assert.ok(Date.now() - rotatedAt < GAP_MS + 5000);
  const ws = await connectUser(srv, { id: bob.sub, org: bob.org, role: 'client', token: tokenB });
  assert.equal(ws.welcome.type, 'welcome');

  // A left the set with that refresh: its token is refused, though it was verified before.
  const refusedA = await iceWith(srv, tokenA);
  assert.equal(refusedA.status, 401, refusedA.text);
  assert.equal((await iceWith(srv, signed(keyA, 'key-a', client()))).status, 401);

  // Made-up kids: every one is refused, and together they cause at most one fetch now and one
  // deferred to the end of the gap, not one each.
  await delay(GAP_MS + 500);
  const before = provider.hits.length;
  const burstStart = Date.now();
  for (let i = 0; i < 40; i++) {
    const r = await iceWith(srv, signed(keyB, `made-up-${randomUUID()}`, client()));
    assert.equal(r.status, 401);
  }
  const burstMs = Date.now() - burstStart;
  await delay(GAP_MS + 1000);
  const fetched = provider.hits.length - before;
  assert.ok(fetched >= 1, 'an unknown kid asks for a refresh');
  assert.ok(fetched <= Math.ceil(burstMs / GAP_MS) + 1, `40 unknown kids in ${burstMs} ms caused ${fetched} fetches`);
  expectStatus(await iceWith(srv, tokenB), 200);

  const metrics = await scrape(srv);
  const ok = metrics.sum('switchboard_jwks_refreshes_total', { result: 'ok' });
  assert.ok(ok >= 3 && ok <= provider.hits.length, `${ok} successful refreshes, ${provider.hits.length} fetches`);
  assert.ok(srv.logs.some((l) => l.includes('"jwks.refreshed"') && l.includes('"reason":"unknown_kid"')));
  await ws.close();
});

test('start-up does not wait for the key set: not ready and refusing until the provider answers, then retried', async () => {
  const key = rsaKey();
  const provider = await startProvider([jwkOf(key, 'k1')]);
  provider.status = 503;
  const srv = await start(provider.url);
  const token = signed(key, 'k1', client());
  assert.equal((await srv.request('GET', '/readyz')).status, 503);
  assert.equal((await iceWith(srv, token)).status, 401);
  await poll(() => provider.hits.length >= 2, { timeoutMs: 5000, what: 'a retry after the failure' });
  assert.ok(srv.logs.some((l) => l.includes('"jwks.refresh_failed"')));

  provider.status = 200;
  await poll(async () => (await srv.request('GET', '/readyz')).status === 200, {
    timeoutMs: 10000,
    intervalMs: 200,
    what: 'ready once the key set is in',
  });
  expectStatus(await iceWith(srv, token), 200);
  const metrics = await scrape(srv);
  assert.ok(metrics.sum('switchboard_jwks_refreshes_total', { result: 'failed' }) >= 1);
  assert.equal(metrics.sum('switchboard_jwks_refreshes_total', { result: 'ok' }), 1);
});

test('--jwt-jwks-url is refused with --jwt-secret, --dev, HS256 or a non-HTTP URL', async () => {
  const url = 'http://127.0.0.1:9/jwks';
  for (const [args, expected] of [
    [['--jwt-jwks-url', url, '--jwt-secret', 'x'.repeat(32)], /give one of --jwt-secret, --jwt-public-key and --jwt-jwks-url/],
    [['--jwt-jwks-url', url, '--dev'], /--dev signs its tokens with HS256/],
    [['--jwt-jwks-url', url, '--jwt-algorithm', 'HS256'], /HS256 takes --jwt-secret, not --jwt-jwks-url/],
    [['--jwt-jwks-url', 'file:///etc/jwks.json'], /--jwt-jwks-url: must be an http:\/\/ or https:\/\/ URL/],
  ]) {
    const r = spawnSync(BINARY, ['--listen', '127.0.0.1:0', ...args], { encoding: 'utf8', env: {} });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, expected);
  }
});
