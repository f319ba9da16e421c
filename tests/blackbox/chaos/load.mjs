// The chaos run's load: clients place calls over REST at a steady rate on any node that is up;
// staff agents, each homed on one node, keep a WebSocket open (reconnecting after a kill),
// accept what rings them after a short random wait (so accepts race), relay a few signals to
// the caller, mark the call connected and hang up a second or two later. Everything answered
// is recorded for the invariants: which calls were committed (201), which accepts won (200).

import { Ws, user, request, delay } from '../lib/harness.mjs';

export class LoadDriver {
  constructor({ org, nodes, rate, staffCount, random, log }) {
    Object.assign(this, { org, nodes, rate, random, log });
    this.staff = Array.from({ length: staffCount }, (_, i) => user(org, 'staff', `staff-${i}`));
    this.created = new Map(); // call id -> {at, node}
    this.acceptsWon = new Map(); // call id -> [staff ids answered 200]
    this.open = new Map(); // call id -> staff user who holds it (accepted, not yet ended)
    this.statuses = {}; // "POST /calls 503" -> count
    this.signalsSent = 0;
    this.callerSockets = new Map(); // call id -> the caller's WebSocket, for a third of the calls
    this.running = false;
    this.sockets = new Set();
  }

  count(key) {
    this.statuses[key] = (this.statuses[key] ?? 0) + 1;
  }

  upNodes() {
    return this.nodes.filter((n) => n.up);
  }

  async req(method, path, o) {
    const n = o.node ?? this.upNodes()[Math.floor(this.random() * this.upNodes().length)];
    if (!n) return { status: 0 };
    try {
      return await request(n.srv, method, path, { timeoutMs: 10000, ...o });
    } catch {
      return { status: 0 }; // the node died under the request, or it timed out
    }
  }

  async start() {
    this.running = true;
    this.agents = this.staff.map((s, i) => this.runAgent(s, this.nodes[i % this.nodes.length]));
    // Let every agent be connected and available before the first call.
    await delay(1500);
    this.creator = this.runCreator();
  }

  async runCreator() {
    const gap = 1000 / this.rate;
    let next = Date.now();
    while (this.running) {
      next += gap;
      this.placeCall();
      await delay(Math.max(0, next - Date.now()));
    }
  }

  async placeCall() {
    const client = user(this.org, 'client');
    // A third of the callers listen on a WebSocket: the signals relayed to them are counted.
    const node = this.upNodes()[Math.floor(this.random() * this.upNodes().length)];
    let ws = null;
    if (node && this.random() < 1 / 3) {
      try {
        ws = new Ws(node.srv, { label: client.id });
        await ws.opened;
        await ws.hello(client.token, 3000);
        this.sockets.add(ws);
      } catch {
        ws?.terminate();
        ws = null;
      }
    }
    const res = await this.req('POST', '/v1/calls', { token: client.token, body: {}, node: ws ? node : undefined });
    this.count(`POST /calls ${res.status}`);
    if (res.status !== 201) {
      ws?.terminate();
      return;
    }
    this.created.set(res.body.id, { at: Date.now() });
    if (ws) this.callerSockets.set(res.body.id, ws);
    // Some callers give up while it rings.
    if (this.random() < 0.1) {
      await delay(500 + this.random() * 2000);
      const r = await this.req('POST', `/v1/calls/${res.body.id}/cancel`, { token: client.token, body: {} });
      this.count(`cancel ${r.status}`);
    }
  }

  async connect(s, home) {
    for (;;) {
      if (!this.running) return null;
      const n = home.up ? home : this.upNodes()[0];
      if (n) {
        try {
          const ws = new Ws(n.srv, { label: s.id });
          await ws.opened;
          await ws.hello(s.token, 3000);
          const r = await request(n.srv, 'PUT', '/v1/staff/me/availability', { token: s.token, body: { status: 'available' }, timeoutMs: 8000 });
          if (r.status === 200) {
            this.sockets.add(ws);
            return ws;
          }
          ws.terminate();
        } catch {
          /* the node is down or stalled: try again */
        }
      }
      await delay(500);
    }
  }

  async runAgent(s, home) {
    while (this.running) {
      const ws = await this.connect(s, home);
      if (!ws) return;
      while (this.running && !ws.closed) {
        let m;
        try {
          m = await ws.waitFor((x) => x.type === 'call.incoming', 1000, 'a ring');
        } catch {
          continue; // no ring this second, or the socket closed
        }
        this.answer(s, m.call.id, ws);
      }
      this.sockets.delete(ws);
    }
  }

  async answer(s, id, ws) {
    await delay(50 + this.random() * 700);
    const res = await this.req('POST', `/v1/calls/${id}/accept`, { token: s.token, body: {} });
    this.count(`accept ${res.status}`);
    if (res.status !== 200) return;
    this.acceptsWon.set(id, [...(this.acceptsWon.get(id) ?? []), s.id]);
    this.open.set(id, s);
    // Three candidates to a caller who listens, as an ICE exchange would send.
    if (this.callerSockets.has(id) && !ws.closed) {
      for (let i = 0; i < 3; i++) {
        ws.seq = (ws.seq ?? 0) + 1;
        ws.send({ type: 'signal', call_id: id, kind: 'candidate', data: { n: i }, seq: ws.seq });
        this.signalsSent++;
      }
    }
    await delay(200 + this.random() * 500);
    const c = await this.req('POST', `/v1/calls/${id}/connected`, { token: s.token, body: {} });
    this.count(`connected ${c.status}`);
    await delay(500 + this.random() * 1500);
    await this.hangUp(id, s);
  }

  /// Ends a call its staff member holds; retried while the node or the database is away.
  async hangUp(id, s) {
    for (let i = 0; i < 60; i++) {
      const r = await this.req('POST', `/v1/calls/${id}/end`, { token: s.token, body: {} });
      this.count(`end ${r.status}`);
      if (r.status === 200 || r.status === 409) {
        this.open.delete(id);
        return;
      }
      await delay(1000);
    }
  }

  /// Stops placing calls, hangs up what is still open, and waits out the ring timeout.
  async stopAndSettle(ms) {
    this.running = false;
    await this.creator;
    await Promise.all([...this.open.entries()].map(([id, s]) => this.hangUp(id, s)));
    await delay(ms);
  }

  /// Signals sent to listening callers, and those that arrived (a caller or staff socket on a
  /// node killed meanwhile loses the ones in flight).
  signalFigures() {
    let received = 0;
    for (const ws of this.callerSockets.values()) received += ws.seen((m) => m.type === 'signal').length;
    return { sent: this.signalsSent, received };
  }

  close() {
    this.running = false;
    for (const ws of this.sockets) ws.terminate();
  }
}
