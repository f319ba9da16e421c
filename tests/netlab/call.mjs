// A real call between two lab peers through the real pages, and what the lab measures of it.
import { setTimeout as sleep } from 'node:timers/promises';
import { LabPeer } from './peer.mjs';

export async function devToken(base, org, sub, role, name) {
  const r = await fetch(`${base}/v1/dev/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ org, sub, role, name }),
  });
  if (!r.ok) throw new Error(`POST /v1/dev/token -> ${r.status} ${await r.text()}`);
  return (await r.json()).token;
}

/** The call as the server has it (GET /v1/calls/{id}, as the staff member). */
export async function serverCall(base, token, id) {
  const r = await fetch(`${base}/v1/calls/${encodeURIComponent(id)}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!r.ok) throw new Error(`GET /v1/calls/${id} -> ${r.status}`);
  return r.json();
}

/** Sum of a Prometheus counter over the series whose labels include `labels`. */
export async function metric(base, name, labels = {}) {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{(.*)\}\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/** Polls `fn` every `every` ms until it returns something truthy, or throws after `ms`. */
export async function until(fn, ms, what, every = 100) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await fn().catch((e) => e);
    if (last && !(last instanceof Error)) return last;
    await sleep(every);
  }
  throw new Error(
    `${what}: not within ${ms / 1000} s (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`,
  );
}

/**
 * Opens a staff page in home `staffNs` and a client page in home `clientNs` (one browser each:
 * Chromium, or Firefox for the client with `clientBrowser: 'firefox'`), staff goes available, the
 * client calls, staff accepts. Returns the peers and when Accept was pressed.
 */
export async function placeAndAccept({ base, org, staffNs, clientNs, clientBrowser = 'chromium' }) {
  const staffToken = await devToken(base, org, 'ana', 'staff', 'Ana');
  const clientToken = await devToken(base, org, 'carla', 'client', 'Carla');
  const ClientPeer =
    clientBrowser === 'firefox' ? (await import('./firefox-peer.mjs')).FirefoxPeer : LabPeer;
  const [staff, client] = await Promise.all([
    LabPeer.open({ name: 'staff', ns: staffNs, base, token: staffToken, role: 'staff' }),
    ClientPeer.open({ name: 'client', ns: clientNs, base, token: clientToken, role: 'client' }),
  ]);
  staff.token = staffToken;
  await staff.goAvailable();
  await client.placeCall();
  await staff.accept();
  return { staff, client, acceptedAt: Date.now() };
}

/** Waits until both sides receive media; returns the seconds since `since`. */
export async function mediaBothWays(peers, since, ms = 30_000) {
  await until(
    async () => {
      const all = await Promise.all(peers.map((p) => p.stats()));
      return all.every((s) => s && s.state === 'connected' && s.bytesIn > 0);
    },
    ms,
    'media both ways',
  );
  return (Date.now() - since) / 1000;
}

/** Fails unless each side's received bytes grow over `ms` (media keeps flowing both ways). */
export async function mediaKeepsFlowing(peers, ms = 2000) {
  const before = await Promise.all(peers.map((p) => p.stats()));
  await sleep(ms);
  const after = await Promise.all(peers.map((p) => p.stats()));
  peers.forEach((p, i) => {
    if (!(after[i].bytesIn > before[i].bytesIn))
      throw new Error(
        `${p.name} receives no media (${before[i].bytesIn} -> ${after[i].bytesIn} bytes)`,
      );
  });
  return after;
}

/** "srflx→prflx": the local and remote candidate types of a side's selected pair. */
export const pairText = (s) => `${s?.local?.type ?? '?'}→${s?.remote?.type ?? '?'}`;
