// The queue under load (docs/queue.md): fewer staff than concurrent calls, so most callers wait.
// Staff take every call they are rung for (accept, connected, hold, end); callers arrive evenly
// over --spread-ms, each with its WebSocket open (they hear queue.updated). Prints how long the
// callers waited in the queue (created until rung), how far the first estimate each was told was
// from that wait, and how many calls timed out in the queue or were refused. Figures are printed,
// never asserted. Run by scripts/bench-soak.sh queue; needs `ws` (tests/blackbox's node_modules).
//
//   node bench/queue_scenario.mjs --url http://127.0.0.1:3199 --secret S
//        [--staff 20] [--callers 200] [--hold-ms 3000] [--spread-ms 10000]
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { connect as connectTo, parseArgs, percentile, signToken } from './scenario_lib.mjs';

const args = parseArgs();
const url = args.url ?? 'http://127.0.0.1:3199';
const secret = args.secret ?? 'bench-secret';
const staffCount = Number(args.staff ?? 20);
const callerCount = Number(args.callers ?? 200);
const holdMs = Number(args['hold-ms'] ?? 3000);
const spreadMs = Number(args['spread-ms'] ?? 10_000);
const org = `bench-queue-${randomBytes(3).toString('hex')}`;

const token = (sub, role) => signToken(secret, org, sub, role);

async function rest(tok, method, path, body) {
  const r = await fetch(`${url}/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

const connect = (tok, onMessage) => connectTo(url, tok, onMessage);
const fmt = (s) => (s === null ? '–' : `${s.toFixed(1)} s`);

// --- Staff: take whatever rings, hold it, hang up, then take what rang meanwhile. ---
const sockets = [];
let handled = 0;
for (let i = 0; i < staffCount; i++) {
  const sub = `staff-${i}`;
  const tok = token(sub, 'staff');
  // Calls that rang this staff member while busy: the next one still ringing is taken after the
  // hang-up (a promotion can ring them before the answer to their `end` arrives).
  const rung = [];
  let busy = false;
  const take = async () => {
    if (busy) return;
    busy = true;
    try {
      while (rung.length > 0) {
        const id = rung.shift();
        const accepted = await rest(tok, 'POST', `/calls/${id}/accept`);
        if (accepted.status !== 200) continue; // Taken by another, or no longer ringing.
        await rest(tok, 'POST', `/calls/${id}/connected`);
        await sleep(holdMs);
        await rest(tok, 'POST', `/calls/${id}/end`);
        handled++;
      }
    } finally {
      busy = false;
    }
  };
  const ws = await connect(tok, (m) => {
    if (m.type !== 'call.incoming') return;
    rung.push(m.call.id);
    void take();
  });
  sockets.push(ws);
  const r = await rest(tok, 'PUT', '/staff/me/availability', { status: 'available' });
  if (r.status !== 200) throw new Error(`staff ${sub} could not go available: ${r.status}`);
}

// --- Callers: arrive evenly, wait, and say when they were rung. ---
const outcomes = [];
const started = Date.now();
await Promise.all(
  Array.from({ length: callerCount }, async (_, i) => {
    await sleep((spreadMs * i) / callerCount);
    const sub = `caller-${i}`;
    const tok = token(sub, 'client');
    const o = { queued: false, estimate: null, waitS: null, end: null, refused: null };
    outcomes.push(o);
    let done;
    const finished = new Promise((res) => (done = res));
    let createdAt = 0;
    const ws = await connect(tok, (m) => {
      if (m.type !== 'call.updated') return;
      const state = m.call.state;
      if (o.waitS === null && ['ringing', 'accepted', 'active'].includes(state))
        o.waitS = (Date.now() - createdAt) / 1000;
      if (['ended', 'missed', 'cancelled', 'declined', 'failed'].includes(state)) {
        o.end = `${state}/${m.call.end_reason}`;
        done();
      }
    });
    sockets.push(ws);
    createdAt = Date.now();
    const r = await rest(tok, 'POST', '/calls', {});
    if (r.status !== 201) {
      o.refused = r.body?.error?.code ?? String(r.status);
      done();
    } else if (r.body.state === 'queued') {
      o.queued = true;
      o.estimate = r.body.queue?.estimated_wait_s ?? null;
    } else if (o.waitS === null) {
      o.waitS = 0; // Rung at once.
    }
    await finished;
  }),
);
const wallS = (Date.now() - started) / 1000;
for (const ws of sockets) ws.close();

// --- Figures. ---
const queued = outcomes.filter((o) => o.queued);
const waits = queued.filter((o) => o.waitS !== null).map((o) => o.waitS);
const errors = queued
  .filter((o) => o.waitS !== null && o.estimate !== null)
  .map((o) => Math.abs(o.estimate - o.waitS));
const timeouts = outcomes.filter((o) => o.end === 'missed/queue_timeout').length;
const refused = outcomes.filter((o) => o.refused);
const figures = {
  staff: staffCount,
  callers: callerCount,
  hold_ms: holdMs,
  spread_ms: spreadMs,
  handled,
  queued: queued.length,
  queue_wait_s: { p50: percentile(waits, 0.5), p99: percentile(waits, 0.99) },
  estimate_error_s: {
    with_estimate: errors.length,
    p50: percentile(errors, 0.5),
    p90: percentile(errors, 0.9),
  },
  queue_timeouts: timeouts,
  refused: refused.length,
  ends: outcomes.reduce((n, o) => ({ ...n, [o.end ?? o.refused]: (n[o.end ?? o.refused] ?? 0) + 1 }), {}),
  wall_s: wallS,
};
console.log(
  `queue: ${callerCount} callers over ${spreadMs / 1000} s, ${staffCount} staff holding ${holdMs / 1000} s` +
    `  queued ${queued.length}  wait p50 ${fmt(figures.queue_wait_s.p50)} p99 ${fmt(figures.queue_wait_s.p99)}` +
    `  estimate error p50 ${fmt(figures.estimate_error_s.p50)} p90 ${fmt(figures.estimate_error_s.p90)}` +
    ` (${errors.length} with an estimate)  queue timeouts ${timeouts}  refused ${refused.length}` +
    `  wall ${wallS.toFixed(1)} s`,
);
console.log(JSON.stringify({ bench: 'switchboard-queue', ...figures }));
