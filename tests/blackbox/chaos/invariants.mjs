// What must hold after a chaos run, checked from the database (the same SQL on PostgreSQL and
// SQLite), the load driver's record of what the server answered, and the webhook receiver.

import { delay, request } from '../lib/harness.mjs';

export const TERMINAL = ['cancelled', 'missed', 'declined', 'failed', 'ended'];
const terminalList = TERMINAL.map((s) => `'${s}'`).join(',');

const rows = (text) => (text === '' ? [] : text.split('\n'));

/// Waits until the webhook outbox is empty (every event delivered), up to `ms`.
async function drainOutbox(sql, ms) {
  const t0 = Date.now();
  for (;;) {
    const left = Number(sql('SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NULL'));
    if (left === 0 || Date.now() - t0 > ms) return left;
    await delay(500);
  }
}

/// Per call, the versions the receiver was sent (answered 200), in the order they first came.
function received(receiver) {
  const byCall = new Map();
  for (const r of receiver.requests) {
    if (r.answered !== 200) continue;
    let body;
    try {
      body = JSON.parse(r.raw);
    } catch {
      continue;
    }
    const id = body?.call?.id;
    const v = body?.call?.version;
    if (!id || !Number.isInteger(v)) continue;
    if (!byCall.has(id)) byCall.set(id, []);
    const seen = byCall.get(id);
    if (!seen.includes(v)) seen.push(v);
  }
  return byCall;
}

export async function checkInvariants({ sql, load, receiver, nodes, log, rss0, rssMb }) {
  const checks = [];
  const check = (name, ok, detail = '') => checks.push({ name, ok, detail });

  for (const n of nodes) {
    const ready = await request(n.srv, 'GET', '/readyz').catch(() => ({ status: 0 }));
    check(`node ${n.name} is ready after the run`, ready.status === 200, `status ${ready.status}`);
  }
  const undelivered = await drainOutbox(sql, 90000);
  log(`webhook outbox drained (${undelivered} left)`);

  const calls = new Map(rows(sql('SELECT id, state, version FROM calls')).map((line) => {
    const [id, state, version] = line.split('|');
    return [id, { state, version: Number(version) }];
  }));

  // Every call a client was told was created (201) is in the database.
  const missing = [...load.created.keys()].filter((id) => !calls.has(id));
  check('every committed call is in the database', missing.length === 0, `${missing.length} of ${load.created.size} missing ${missing.slice(0, 3).join(' ')}`);

  // Nobody answered twice: one accept won per call, at the client and in the database.
  const wonTwice = [...load.acceptsWon.entries()].filter(([, s]) => s.length > 1);
  check('no call accepted twice (answers)', wonTwice.length === 0, `${wonTwice.length} calls ${JSON.stringify(wonTwice.slice(0, 2))}`);
  const acceptedTwice = rows(sql("SELECT call_id FROM call_participants WHERE outcome = 'accepted' GROUP BY call_id HAVING count(*) > 1"));
  check('no call accepted twice (database)', acceptedTwice.length === 0, `${acceptedTwice.length} calls`);
  // An accept answered 200 is the one the database kept.
  const disagree = rows(sql("SELECT call_id || '|' || staff_id FROM call_participants WHERE outcome = 'accepted'"))
    .map((l) => l.split('|'))
    .filter(([id, staff]) => load.acceptsWon.has(id) && !load.acceptsWon.get(id).includes(staff));
  check('every accept answered 200 is the staff member the database kept', disagree.length === 0, `${disagree.length} calls`);

  // Every call ended; none is stuck ringing past its deadline. Calls placed in the last seconds
  // of the load may still ring, or wait in the queue, within their deadline: give them until it
  // (and a sweep) passed. The nodes run with a short --queue-timeout so that this is seconds.
  const lastDeadline = Number(
    sql(
      "SELECT COALESCE(MAX(CASE WHEN state = 'queued' THEN queue_deadline ELSE ring_deadline END), 0) FROM calls WHERE state IN ('ringing', 'queued')",
    ),
  );
  const untilDeadline = lastDeadline + 3000 - Date.now();
  if (untilDeadline > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(untilDeadline, 20000)));
  const nowMs = Date.now();
  const stuck = Number(sql(`SELECT count(*) FROM calls WHERE state = 'ringing' AND ring_deadline < ${nowMs - 2000}`));
  check('no call stuck ringing past its deadline', stuck === 0, `${stuck} calls`);
  const open = rows(sql(`SELECT id || ' ' || state FROM calls WHERE state NOT IN (${terminalList})`));
  check('every call ends in a terminal state', open.length === 0, `${open.length} open: ${open.slice(0, 3).join(', ')}`);

  // No staff member in an impossible state: still ringing for a finished call, or holding two
  // calls at once.
  const ghostRings = Number(sql(`SELECT count(*) FROM call_participants p JOIN calls c ON c.id = p.call_id WHERE p.outcome = 'ringing' AND c.state IN (${terminalList})`));
  check('no staff member still ringing for a finished call', ghostRings === 0, `${ghostRings} rows`);
  const twoCalls = rows(sql(`SELECT staff_id FROM calls WHERE state IN ('accepted','active') AND staff_id IS NOT NULL GROUP BY staff_id HAVING count(*) > 1`));
  check('no staff member in two calls at once', twoCalls.length === 0, `${twoCalls.length} staff`);

  // Webhooks: every version of every call arrived, and each call's versions came in order.
  const got = received(receiver);
  let missingEvents = 0;
  let outOfOrder = 0;
  for (const [id, c] of calls) {
    const seen = got.get(id) ?? [];
    for (let v = 1; v <= c.version; v++) if (!seen.includes(v)) missingEvents++;
    for (let i = 1; i < seen.length; i++) {
      if (seen[i] < seen[i - 1]) {
        outOfOrder++;
        break;
      }
    }
  }
  check('no webhook event missing at the receiver', missingEvents === 0 && undelivered === 0, `${missingEvents} missing, ${undelivered} undelivered`);
  check('no call\'s webhook events out of order at the receiver', outOfOrder === 0, `${outOfOrder} calls`);

  // The server's memory is back to normal: no node grew without bound during the run.
  const rss = nodes.map((n) => rssMb(n.srv));
  check('every node\'s memory stays bounded (RSS < 400 MB)', rss.every((m) => m < 400), `RSS at start ${rss0.join('/')} MB, at end ${rss.join('/')} MB`);

  const states = {};
  for (const c of calls.values()) states[c.state] = (states[c.state] ?? 0) + 1;
  const figures = {
    'calls placed (201)': load.created.size,
    'calls in the database': calls.size,
    'final states': JSON.stringify(states),
    'POST /calls refused 503': load.statuses['POST /calls 503'] ?? 0,
    'POST /calls lost to a dead node (no answer)': load.statuses['POST /calls 0'] ?? 0,
    'accepts won / lost the race (409) / 503': `${load.statuses['accept 200'] ?? 0} / ${load.statuses['accept 409'] ?? 0} / ${load.statuses['accept 503'] ?? 0}`,
    'webhook requests received': receiver.requests.length,
    'signals relayed to listening callers: sent / received':
      `${load.signalFigures().sent} / ${load.signalFigures().received}`,
    'node restarts': nodes.map((n) => `${n.name}:${n.restarts}`).join(' '),
    'all answers': JSON.stringify(load.statuses),
  };
  return { checks, figures };
}
