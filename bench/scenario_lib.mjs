// What the scenario scripts of bench/ share: their `--name value` options, tokens signed as the
// server checks them (HS256 with the claims of docs/api.md), a signed-in WebSocket, percentiles.
// `ws` comes from tests/blackbox's node_modules.
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';

const WebSocket = createRequire(new URL('../tests/blackbox/package.json', import.meta.url))('ws');

/** The command line's `--name value` pairs, by name. */
export function parseArgs(argv = process.argv.slice(2)) {
  return Object.fromEntries(
    argv.map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean),
  );
}

/** A token for `sub` of `org` in `role`, valid for an hour. */
export function signToken(secret, org, sub, role) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, org, role, name: sub, iat: now, exp: now + 3600 })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** A signed-in WebSocket to the server at `baseUrl`; `onMessage` gets every parsed message after
 * the welcome. */
export function connect(baseUrl, tok, onMessage) {
  const wsUrl = new URL('/v1/ws', baseUrl);
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl.href);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token: tok })));
    ws.on('error', reject);
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.type === 'welcome') resolve(ws);
      else onMessage(m);
    });
  });
}

/** The `p` quantile (0 to 1) of `values` by the nearest rank; null when there are none. */
export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1];
}
