// docs/api.md#identity: RS256 and ES256 from a PEM public key, the algorithm fixed by configuration,
// iss/aud checked when configured, 30 s leeway; section 4: POST /v1/dev/token only with --dev.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BINARY, startServer, mintToken, uniq, expectStatus, expectError } from './lib/harness.mjs';

const servers = [];
after(async () => {
  for (const s of servers) await s.stop();
});

async function start(args, opts = {}) {
  const srv = await startServer(args, opts);
  servers.push(srv);
  return srv;
}

const dir = mkdtempSync(join(tmpdir(), 'sb-auth-'));
function keyFile(name, publicKey) {
  const path = join(dir, name);
  writeFileSync(path, publicKey.export({ type: 'spki', format: 'pem' }));
  return path;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaOther = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsaPath = keyFile('rsa.pem', rsa.publicKey);
const ecPath = keyFile('ec.pem', ec.publicKey);

const b64url = (x) => Buffer.from(x).toString('base64url');

// A JWT signed with an asymmetric key: RS256 (PKCS#1 v1.5) or ES256 (raw r||s, as JWS wants).
function signed(alg, privateKey, claims) {
  const now = Math.floor(Date.now() / 1000);
  const body = { iat: now, exp: now + 3600, ...claims };
  const input = `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${b64url(JSON.stringify(body))}`;
  const signer = createSign('SHA256').update(input);
  const sig =
    alg === 'ES256'
      ? signer.sign({ key: privateKey, dsaEncoding: 'ieee-p1363' })
      : signer.sign(privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

// HS256 with the public key's PEM text as the HMAC secret: the classic algorithm-confusion forgery.
function hsWithPem(claims) {
  const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' });
  const now = Math.floor(Date.now() / 1000);
  const body = { iat: now, exp: now + 3600, ...claims };
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(body))}`;
  return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
}

const iceWith = (srv, token) => srv.request('GET', '/v1/ice-servers', { token });

test('RS256: tokens signed by the configured key pass; other keys, HS256 with the PEM and alg none are 401', async () => {
  const srv = await start(['--jwt-public-key', rsaPath], { secret: null });
  const claims = { sub: uniq('u'), org: uniq('org'), role: 'client' };
  expectStatus(await iceWith(srv, signed('RS256', rsa.privateKey, claims)), 200);
  const refused = [
    ['signed by another RSA key', signed('RS256', rsaOther.privateKey, claims)],
    ['HS256 keyed with the public PEM', hsWithPem(claims)],
    ['alg none', mintToken(claims, { alg: 'none' })],
    ['ES256 token on an RS256 server', signed('ES256', ec.privateKey, claims)],
    ['RS256, expired a minute ago', signed('RS256', rsa.privateKey, { ...claims, exp: Math.floor(Date.now() / 1000) - 60 })],
  ];
  for (const [label, token] of refused) {
    const r = await iceWith(srv, token);
    assert.equal(r.status, 401, `${label}: ${r.status} ${r.text}`);
    assert.equal(r.body?.error?.code, 'unauthenticated', label);
  }
});

test('ES256: tokens signed by the configured EC key pass; RS256 ones are 401', async () => {
  const srv = await start(['--jwt-public-key', ecPath], { secret: null });
  const claims = { sub: uniq('u'), org: uniq('org'), role: 'staff' };
  expectStatus(await iceWith(srv, signed('ES256', ec.privateKey, claims)), 200);
  expectError(await iceWith(srv, signed('RS256', rsa.privateKey, claims)), 401, 'unauthenticated');
});

test('iss and aud are checked when configured; exp has 30 s of leeway', async () => {
  const srv = await start(['--jwt-issuer', 'https://app.example', '--jwt-audience', 'switchboard']);
  const base = { sub: uniq('u'), org: uniq('org'), role: 'client' };
  const good = { ...base, iss: 'https://app.example', aud: 'switchboard' };
  const now = Math.floor(Date.now() / 1000);
  expectStatus(await iceWith(srv, mintToken(good)), 200);
  expectStatus(await iceWith(srv, mintToken({ ...good, aud: ['other', 'switchboard'] })), 200);
  expectStatus(await iceWith(srv, mintToken({ ...good, exp: now - 20 })), 200);
  const refused = [
    ['no iss', { ...base, aud: 'switchboard' }],
    ['wrong iss', { ...good, iss: 'https://evil.example' }],
    ['no aud', { ...base, iss: 'https://app.example' }],
    ['wrong aud', { ...good, aud: 'someone-else' }],
    ['expired 40 s ago (past the leeway)', { ...good, exp: now - 40 }],
    ['not before 60 s from now', { ...good, nbf: now + 60 }],
  ];
  for (const [label, claims] of refused) {
    const r = await iceWith(srv, mintToken(claims));
    assert.equal(r.status, 401, `${label}: ${r.status} ${r.text}`);
  }
});

test('POST /v1/dev/token is 404 without --dev', async () => {
  const srv = await start([]);
  const r = await srv.request('POST', '/v1/dev/token', { body: { org: 'o', sub: 'u', role: 'client' } });
  expectError(r, 404, 'not_found');
  const health = await srv.request('GET', '/healthz');
  assert.deepEqual(health.body, { status: 'ok', dev_sign_in: false }, 'the sign-in page learns it with a 200');
});

test('--dev: /v1/dev/token mints a token the server accepts, with the claims asked for', async () => {
  const srv = await start(['--dev'], { secret: null });
  const org = uniq('org');
  const r = await srv.request('POST', '/v1/dev/token', { body: { org, sub: 'ana', role: 'staff', name: 'Ana' } });
  expectStatus(r, 200);
  assert.equal(typeof r.body.token, 'string');
  const claims = JSON.parse(Buffer.from(r.body.token.split('.')[1], 'base64url').toString());
  assert.deepEqual([claims.org, claims.sub, claims.role, claims.name], [org, 'ana', 'staff', 'Ana']);
  const avail = await srv.request('GET', '/v1/staff/availability', { token: r.body.token });
  expectStatus(avail, 200);
  expectError(await srv.request('POST', '/v1/dev/token', { body: { org, sub: 'ana', role: 'boss' } }), 400, 'invalid_request');
  assert.ok(srv.logs.some((l) => l.includes('--dev is on')), 'the loud warning is logged');
  assert.equal((await srv.request('GET', '/healthz')).body.dev_sign_in, true);
});

test('--dev with --jwt-public-key stops start-up with one line', () => {
  const r = spawnSync(BINARY, ['--dev', '--jwt-public-key', rsaPath, '--listen', '127.0.0.1:0',
    '--db', `sqlite:${join(dir, 'never.db')}`], { encoding: 'utf8', timeout: 5000 });
  assert.notEqual(r.status, 0, 'non-zero exit');
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0], /jwt-public-key.*--dev/);
});
