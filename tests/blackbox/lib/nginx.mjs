// A real nginx on loopback running the shipped deploy/nginx/switchboard.conf in front of a
// server, with a self-signed certificate made now. Node built-ins only, so the web e2e suite
// can use it too (web/tests/e2e/specs/25-behind-nginx.spec.mjs).

import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const HAVE_NGINX = spawnSync('nginx', ['-v']).status === 0;

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

// The shipped file with only what a loopback test must change: ports, certificate, and the
// WebSocket read timeout. Each replacement must hit, so a reshaped file fails here loudly.
function testConfig(dir, upstreamPort, httpPort, tlsPort, wsReadTimeoutS) {
  let conf = readFileSync(join(REPO, 'deploy', 'nginx', 'switchboard.conf'), 'utf8');
  const swaps = [
    [/server 127\.0\.0\.1:8080;/, `server 127.0.0.1:${upstreamPort};`],
    [/listen 80;\s*listen \[::\]:80;/, `listen 127.0.0.1:${httpPort};`],
    [/listen 443 ssl http2;\s*listen \[::\]:443 ssl http2;/, `listen 127.0.0.1:${tlsPort} ssl http2;`],
    [/\/etc\/letsencrypt\/live\/calls\.example\.com\/fullchain\.pem/, join(dir, 'cert.pem')],
    [/\/etc\/letsencrypt\/live\/calls\.example\.com\/privkey\.pem/, join(dir, 'key.pem')],
  ];
  if (wsReadTimeoutS !== undefined) {
    swaps.push([/(location = \/v1\/ws \{[^}]*proxy_read_timeout )\d+s;/, `$1${wsReadTimeoutS}s;`]);
  }
  for (const [pattern, replacement] of swaps) {
    assert.match(conf, pattern, `deploy/nginx/switchboard.conf no longer has ${pattern}`);
    conf = conf.replace(pattern, replacement);
  }
  return conf;
}

function healthy(tlsPort, ca) {
  return new Promise((res) => {
    const req = https.get({ host: '127.0.0.1', port: tlsPort, path: '/healthz', ca, agent: false, timeout: 2000 },
      (r) => { r.resume(); res(r.statusCode === 200); });
    req.on('timeout', () => req.destroy());
    req.on('error', () => res(false));
  });
}

/**
 * Starts nginx in the foreground (one process, as the current user) in front of the server on
 * 127.0.0.1:`upstreamPort`. `wsReadTimeoutS` replaces the file's proxy_read_timeout of /v1/ws.
 * Returns {tlsPort, httpPort, base, wsUrl, ca (the certificate, PEM), stop()}.
 */
export async function startNginx(upstreamPort, { wsReadTimeoutS } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-nginx-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const [httpPort, tlsPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, 'switchboard.conf'), testConfig(dir, upstreamPort, httpPort, tlsPort, wsReadTimeoutS));
  for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, t));
  writeFileSync(join(dir, 'nginx.conf'), `
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events {}
http {
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${dir}/switchboard.conf;
}
`);
  const proc = spawn('nginx', ['-e', join(dir, 'error.log'), '-p', dir, '-c', join(dir, 'nginx.conf'),
    '-g', 'daemon off; master_process off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((res) => proc.on('exit', res));
  const ca = readFileSync(join(dir, 'cert.pem'));
  const stop = async () => {
    if (proc.exitCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10000;
  while (!(await healthy(tlsPort, ca))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not answer /healthz over TLS: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    tlsPort, httpPort, ca, stop,
    base: `https://127.0.0.1:${tlsPort}`,
    wsUrl: `wss://127.0.0.1:${tlsPort}/v1/ws`,
  };
}
