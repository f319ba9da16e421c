// Overload as one continuous load (docs/decisions/0004-holding-load.md, "Admission control"):
// --over-s at twice --max calls/s, then --under-s at half of it, on the same sockets throughout,
// so what is measured after the drop is the server's recovery and not the generator reconnecting.
// The workload is the one of ../shared/socketio-ref's generator: --orgs orgs of --staff staff;
// every rung staff member accepts at once; the winner offers and sends --ice candidates, the
// caller answers with as many; then the caller posts `connected` and `end`. Per --slice-s slice
// (by when the call was placed): calls offered, placed, refused with 503, completed, and the
// setup latency (create sent until the caller hears `accepted`). Figures are printed, never
// asserted. Run by scripts/bench-soak.sh overload-continuous; needs `ws` (tests/blackbox, through
// scenario_lib.mjs).
//
//   node bench/overload_scenario.mjs --url http://127.0.0.1:3199 --secret S --max 400
//        [--over-s 30] [--under-s 30] [--slice-s 5] [--orgs 10] [--staff 5] [--clients 3000]
import { randomBytes } from 'node:crypto';
import http from 'node:http';

import { connect as connectTo, parseArgs, percentile, signToken } from './scenario_lib.mjs';

const args = parseArgs();
const url = new URL(args.url ?? 'http://127.0.0.1:3199');
const secret = args.secret ?? 'bench-secret';
const max = Number(args.max ?? 400);
const overS = Number(args['over-s'] ?? 30);
const underS = Number(args['under-s'] ?? 30);
const sliceS = Number(args['slice-s'] ?? 5);
const orgCount = Number(args.orgs ?? 10);
const staffPerOrg = Number(args.staff ?? 5);
const clientCount = Number(args.clients ?? 3000);
const icePerSide = Number(args.ice ?? 10);
const callDeadlineMs = 10_000;
const run = randomBytes(3).toString('hex');
const sdp = 'v=0 '.padEnd(2000, 'x');
const candidate = 'candidate:1 1 udp '.padEnd(150, 'x');

const token = (org, sub, role) => signToken(secret, org, sub, role);

const agent = new http.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 512 });
/** One REST request: resolves { status, body } (status 0: transport error). */
function rest(tok, method, path, body) {
  return new Promise((resolve) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method,
        path: `/v1${path}`,
        headers: {
          authorization: `Bearer ${tok}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let parsed = null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            parsed = null;
          }
          resolve({ status: res.statusCode, body: parsed });
        });
      },
    );
    req.on('error', () => resolve({ status: 0, body: null }));
    req.end(payload);
  });
}

const connect = (tok, onMessage) => connectTo(url, tok, onMessage);

async function inBatches(items, size, fn) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

// --- Slices: figures by when the call was placed (completions by when they completed). ---
const slices = [];
const slice = (t) => {
  const i = Math.floor(t / 1000 / sliceS);
  while (slices.length <= i) {
    slices.push({ offered: 0, placed: 0, refused: 0, completed: 0, setup: [], errors: {} });
  }
  return slices[i];
};
const error = (s, kind) => (s.errors[kind] = (s.errors[kind] ?? 0) + 1);
let start = 0;
const elapsed = () => performance.now() - start;

// --- Calls in flight, by id; a caller has one at a time. ---
const callsById = new Map();
let seq = 0;
const signal = (ws, callId, kind, data) =>
  ws.send(JSON.stringify({ type: 'signal', call_id: callId, kind, data, seq: ++seq }));
const sendBurst = (ws, callId, first) => {
  signal(ws, callId, first, { sdp });
  for (let i = 0; i < icePerSide; i++) signal(ws, callId, 'candidate', { candidate });
};
function finish(rec, ok) {
  if (rec.done) return;
  rec.done = true;
  clearTimeout(rec.deadline);
  if (ok) slice(elapsed()).completed++;
  callsById.delete(rec.id);
  if (ok) rec.client.current = null;
  else void giveUp(rec);
}
// A caller who gave up hangs up, as the generator does, so they can call again; one whose
// create was never answered places no more.
async function giveUp(rec) {
  if (!rec.id) return;
  const { tok } = rec.client;
  const cancelled = await rest(tok, 'POST', `/calls/${rec.id}/cancel`);
  if (cancelled.status !== 200) await rest(tok, 'POST', `/calls/${rec.id}/end`);
  if (rec.client.current === rec) rec.client.current = null;
}
async function bothSidesSignalled(rec) {
  const c = rec.client;
  const connected = await rest(c.tok, 'POST', `/calls/${rec.id}/connected`, {
    candidate_type: 'host',
  });
  if (connected.status !== 200)
    error(rec.slice, `connected_${connected.body?.error?.code ?? connected.status}`);
  const ended = await rest(c.tok, 'POST', `/calls/${rec.id}/end`);
  if (ended.status !== 200) error(rec.slice, `end_${ended.body?.error?.code ?? ended.status}`);
}
const received = (rec, side) => {
  rec[side]++;
  if (rec.caller === icePerSide + 1 && rec.staff === icePerSide + 1) void bothSidesSignalled(rec);
};

// --- Staff: accept every ring at once; the winner offers. ---
const orgs = [];
for (let o = 0; o < orgCount; o++)
  orgs.push({ id: `bench-overload-${run}-${o}`, clients: [], next: 0 });
const staff = orgs.flatMap((org) =>
  Array.from({ length: staffPerOrg }, (_, i) => ({
    org,
    tok: token(org.id, `staff-${i}`, 'staff'),
  })),
);
await inBatches(staff, 50, async (s) => {
  s.ws = await connect(s.tok, (m) => {
    if (m.type === 'call.incoming') {
      const id = m.call.id;
      void rest(s.tok, 'POST', `/calls/${id}/accept`).then((r) => {
        if (r.status === 200) sendBurst(s.ws, id, 'offer');
        const rec = callsById.get(id);
        const code = r.body?.error?.code;
        // Losing the race, or the ring stopping because this staff member took another call,
        // is the workload working as the contract says (docs/api.md, "Routing").
        if (rec && r.status !== 200 && r.status !== 409)
          error(rec.slice, `accept_${code ?? r.status}`);
      });
    } else if (m.type === 'signal') {
      const rec = callsById.get(m.call_id);
      if (rec) received(rec, 'staff');
    }
  });
  const r = await rest(s.tok, 'PUT', '/staff/me/availability', { status: 'available' });
  if (r.status !== 200) throw new Error(`a staff member could not go available: ${r.status}`);
});

// --- Callers. ---
const clients = Array.from({ length: clientCount }, (_, i) => {
  const org = orgs[i % orgCount];
  const c = { org, tok: token(org.id, `client-${i}`, 'client'), current: null };
  org.clients.push(c);
  return c;
});
await inBatches(clients, 100, async (c) => {
  c.ws = await connect(c.tok, (m) => {
    const rec = c.current;
    if (!rec || rec.done) return;
    if (m.type === 'call.updated') {
      if (!rec.id) rec.id = m.call.id;
      callsById.set(rec.id, rec);
      if (m.call.state === 'accepted' && !rec.accepted) {
        rec.accepted = true;
        rec.slice.setup.push(performance.now() - rec.t0);
      } else if (m.call.state === 'ended' && m.call.end_reason === 'hangup') {
        finish(rec, true);
      } else if (['ended', 'missed', 'cancelled', 'declined', 'failed'].includes(m.call.state)) {
        error(rec.slice, `ended_${m.call.state}_${m.call.end_reason}`);
        finish(rec, false);
      }
    } else if (m.type === 'signal' && m.call_id === rec.id) {
      if (m.kind === 'offer') sendBurst(c.ws, rec.id, 'answer');
      received(rec, 'caller');
    }
  });
});

let placedTotal = 0;
function place(s) {
  s.offered++;
  const org = orgs[placedTotal++ % orgCount];
  let client = null;
  for (let tries = 0; tries < org.clients.length && !client; tries++) {
    const c = org.clients[org.next++ % org.clients.length];
    if (!c.current) client = c;
  }
  if (!client) return error(s, 'no_idle_client');
  const rec = { client, slice: s, t0: performance.now(), id: null, caller: 0, staff: 0 };
  client.current = rec;
  rec.deadline = setTimeout(() => {
    error(s, 'call_incomplete');
    finish(rec, false);
  }, callDeadlineMs);
  void rest(client.tok, 'POST', '/calls', {}).then((r) => {
    if (r.status === 201) {
      s.placed++;
      rec.id ??= r.body.id;
      callsById.set(rec.id, rec);
      return;
    }
    if (r.status === 503) s.refused++;
    else error(s, `create_${r.body?.error?.code ?? r.status}`);
    clearTimeout(rec.deadline);
    rec.done = true;
    client.current = null;
  });
}

// --- The schedule: calls placed evenly at the phase's rate, checked every 2 ms. ---
const phases = [
  { rate: max * 2, seconds: overS, label: '2x' },
  { rate: max / 2, seconds: underS, label: '0.5x' },
];
start = performance.now();
let phaseStart = 0;
for (const phase of phases) {
  let issued = 0;
  const total = Math.round(phase.rate * phase.seconds);
  await new Promise((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((elapsed() - phaseStart) / 1000) * phase.rate));
      while (issued < due) {
        place(slice(elapsed()));
        issued++;
      }
      if (issued >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  phaseStart += phase.seconds * 1000;
}
// Let the calls in flight finish (or hit their deadline).
const settleUntil = performance.now() + callDeadlineMs + 1000;
while (callsById.size > 0 && performance.now() < settleUntil)
  await new Promise((r) => setTimeout(r, 100));
for (const x of [...staff, ...clients]) x.ws.close();
agent.destroy();

// --- Figures. ---
const ms = (v) => (v === null ? '–' : `${v.toFixed(1)} ms`);
const perS = (n) => (n / sliceS).toFixed(0);
console.log(
  `overload (continuous): ${overS} s at ${max * 2}/s, then ${underS} s at ${max / 2}/s; ` +
    `${orgCount} orgs of ${staffPerOrg} staff, ${clientCount} callers, ${sliceS} s slices`,
);
const report = slices.slice(0, Math.ceil((overS + underS) / sliceS)).map((s, i) => {
  const from = i * sliceS;
  const label = from < overS ? '2x  ' : '0.5x';
  const p50 = percentile(s.setup, 0.5);
  const p99 = percentile(s.setup, 0.99);
  const errors = Object.entries(s.errors)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(
    `${label} ${String(from).padStart(3)}-${String(from + sliceS).padEnd(3)} s  offered ${perS(s.offered)}/s` +
      `  placed ${perS(s.placed)}/s  refused (503) ${perS(s.refused)}/s  completed ${perS(s.completed)}/s` +
      `  setup p50 ${ms(p50)} p99 ${ms(p99)}${errors ? `  errors: ${errors}` : ''}`,
  );
  return {
    from_s: from,
    offered: s.offered,
    placed: s.placed,
    refused: s.refused,
    completed: s.completed,
    setup_p50_ms: p50,
    setup_p99_ms: p99,
    errors: s.errors,
  };
});
console.log(JSON.stringify({ bench: 'switchboard-overload-continuous', max, slices: report }));
