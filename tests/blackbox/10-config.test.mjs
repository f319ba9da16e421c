// Start-up configuration: a bad value stops the binary at once with one line naming the flag.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BINARY, SECRET, startServer, user, uniq, readyStaff, createCall } from './lib/harness.mjs';

// Run the binary; resolve {code, signal, stdout, stderr, ms}. Killed (and reported) after 5 s.
function run(args, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
  const cleanEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SWITCHBOARD_')) cleanEnv[k] = v;
  const full = ['--listen', '127.0.0.1:0', '--db', `sqlite:${join(dir, 'sb.db')}`, '--jwt-secret', SECRET, ...args];
  const t0 = Date.now();
  return new Promise((res) => {
    const p = spawn(BINARY, full, { env: { ...cleanEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const killer = setTimeout(() => p.kill('SIGKILL'), 5000);
    p.on('exit', (code, signal) => {
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
      res({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

const cases = [
  ['--ring-timeout 45x', ['--ring-timeout', '45x'], {}, 'ring-timeout'],
  ['--routing nope', ['--routing', 'nope'], {}, 'routing'],
  ['an unknown flag', ['--no-such-flag', '1'], {}, 'no-such-flag'],
  ['--ring-step -1s', ['--ring-step', '-1s'], {}, 'ring-step'],
  ['--max-missed 0', ['--max-missed', '0'], {}, 'max-missed'],
  ['--rate-user lots', ['--rate-user', 'lots'], {}, 'rate-user'],
  ['--wrap-up 5 (no unit)', ['--wrap-up', '5'], {}, 'wrap-up'],
  ['--listen without a port', ['--listen', '127.0.0.1'], {}, 'listen'],
  ['--log-format xml', ['--log-format', 'xml'], {}, 'log-format'],
  ['SWITCHBOARD_RING_TIMEOUT=45x', [], { SWITCHBOARD_RING_TIMEOUT: '45x' }, /ring-timeout|RING_TIMEOUT/i],
  ['SWITCHBOARD_ROUTING=nope', [], { SWITCHBOARD_ROUTING: 'nope' }, /routing|ROUTING/i],
];

for (const [label, args, env, names] of cases) {
  test(`a bad value stops start-up with one line: ${label}`, async () => {
    const r = await run(args, env);
    assert.equal(r.signal, null, `still running after 5 s (killed); stdout: ${r.stdout.slice(0, 300)}`);
    assert.notEqual(r.code, 0, 'exit status is non-zero');
    assert.ok(r.ms < 3000, `exited at once (${r.ms} ms)`);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    assert.equal(lines.length, 1, `exactly one line on stderr, got: ${JSON.stringify(r.stderr)}`);
    if (typeof names === 'string') assert.ok(lines[0].includes(names), `the line names ${names}: ${lines[0]}`);
    else assert.match(lines[0], names);
    assert.ok(!r.stdout.includes('server.listening'), 'it never listened');
  });
}

test('a secret is never echoed in start-up output (a short --jwt-secret is at most warned about)', async () => {
  const srv = await startServer([], { secret: 'short-secret-XYZZY' });
  try {
    assert.ok(!srv.logs.some((l) => l.includes('XYZZY')), `secret echoed:\n${srv.logs.join('\n')}`);
  } finally {
    await srv.stop();
  }
  const r = await run(['--turn-secret', 'turn-XYZZY', '--ring-timeout', '45x']);
  assert.notEqual(r.code, 0);
  assert.ok(!`${r.stdout}${r.stderr}`.includes('XYZZY'), `secret echoed: ${r.stderr}`);
});

test('the env twin configures like the flag (SWITCHBOARD_RING_TIMEOUT=7s)', async () => {
  const srv = await startServer([], { env: { SWITCHBOARD_RING_TIMEOUT: '7s' } });
  try {
    const org = uniq('org');
    const st = user(org, 'staff');
    await readyStaff(srv, st);
    const c = await createCall(srv, user(org, 'client'));
    assert.equal(Date.parse(c.ring_deadline) - Date.parse(c.created_at), 7000);
  } finally {
    await srv.stop();
  }
});

test('--version prints "switchboard <version> (<commit>)" and exits 0 (docs/metrics.md#process)', async () => {
  const r = await run(['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^switchboard \d+\.\d+\.\d+ \(([0-9a-f]{7,40}|unknown)\)\n$/);
  assert.equal(r.stderr, '');
});
