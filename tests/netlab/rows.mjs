// The matrix: each row is one real call between a staff page (home "<row>-a") and a client page
// (home "<row>-b") in the networks lab.sh built for it. A row returns what the report prints and
// throws when the call does not do what the row is about.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  devToken,
  mediaBothWays,
  mediaKeepsFlowing,
  metric,
  pairText,
  placeAndAccept,
  serverCall,
  until,
} from './call.mjs';
import { LabPeer } from './peer.mjs';

/** How long media may take to come back after a network switch (the 5 s, with margin). */
const SWITCH_BOUND_S = 15;
/** How long a call without any route may take to fail with ice_failed (with margin). */
const FAIL_BOUND_S = 15;

const isRelay = (c) => c?.type === 'relay';

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

/** The part every connecting row shares: call, media both ways, the pair types. */
async function connectedCall(lab, row, ctx) {
  const base = row.base ?? lab.base;
  const call = await placeAndAccept({
    base,
    org: `netlab-${row.name}-${lab.lab}`,
    staffNs: lab.homes[`${row.name}-a`],
    clientNs: lab.homes[`${row.name}-b`],
    clientBrowser: row.clientBrowser,
  });
  ctx.peers.push(call.staff, call.client);
  if (row.clientBrowser) ctx.result.notes.push(`client on ${await call.client.browser.version()}`);
  ctx.result.accept_to_media_s = await mediaBothWays([call.staff, call.client], call.acceptedAt);
  ctx.result.connected = true;
  const [a, b] = await mediaKeepsFlowing([call.staff, call.client]);
  ctx.result.staff_pair = pairText(a);
  ctx.result.client_pair = pairText(b);
  return { ...call, a, b, base };
}

async function finish(call) {
  await call.client.hangUp();
  await Promise.all([
    call.staff.waitPhase('ended', 10_000),
    call.client.waitPhase('ended', 10_000),
  ]);
}

export const ROWS = [
  {
    name: 'lan',
    about: 'same LAN: host candidates',
    async run(lab, ctx) {
      const call = await connectedCall(lab, this, ctx);
      expect(
        [call.a, call.b].every((s) => s.local.type === 'host' && s.remote.type === 'host'),
        `expected host→host on both sides, got ${ctx.result.staff_pair} / ${ctx.result.client_pair}`,
      );
      await finish(call);
    },
  },
  {
    name: 'cone',
    about: 'both behind port-restricted cone NATs: srflx through STUN',
    async run(lab, ctx) {
      const call = await connectedCall(lab, this, ctx);
      const natted = (c) => c.type === 'srflx' || c.type === 'prflx';
      expect(
        [call.a, call.b].every((s) => natted(s.local) && natted(s.remote)),
        `expected srflx/prflx on both ends, got ${ctx.result.staff_pair} / ${ctx.result.client_pair}`,
      );
      await finish(call);
    },
  },
  {
    name: 'sym',
    about: 'one side behind a symmetric NAT: relay through TURN over UDP',
    async run(lab, ctx) {
      const call = await connectedCall(lab, this, ctx);
      expect(
        [call.a, call.b].every((s) => isRelay(s.local) || isRelay(s.remote)),
        `expected a relay in both pairs, got ${ctx.result.staff_pair} / ${ctx.result.client_pair}`,
      );
      const relay = [call.a, call.b].find((s) => isRelay(s.local));
      expect(
        relay?.local.relayProtocol === 'udp',
        `expected TURN over UDP, got ${relay?.local.relayProtocol}`,
      );
      ctx.result.notes.push(`relay over ${relay.local.relayProtocol}`);
      await finish(call);
    },
  },
  {
    name: 'tcp',
    about: 'UDP blocked for one side: relay through TURN over TCP',
    async run(lab, ctx) {
      const call = await connectedCall(lab, this, ctx);
      expect(
        isRelay(call.a.local) && call.a.local.relayProtocol === 'tcp',
        `expected the staff side on a TURN/TCP relay, got ${pairText(call.a)} over ${call.a.local?.relayProtocol}`,
      );
      ctx.result.notes.push('staff relay over tcp');
      await finish(call);
    },
  },
  {
    name: 'tls',
    about: 'UDP and TCP 3478 blocked for one side: relay through TURN over TLS (turns:)',
    async run(lab, ctx) {
      const call = await connectedCall(lab, this, ctx);
      expect(
        isRelay(call.a.local) && call.a.local.relayProtocol === 'tls',
        `expected the staff side on a TURN/TLS relay, got ${pairText(call.a)} over ${call.a.local?.relayProtocol}`,
      );
      ctx.result.notes.push('staff relay over tls');
      await finish(call);
    },
  },
  {
    name: 'loss',
    about: '10 % loss and 200 ms RTT on one side: connects, stats show it, the UI warns',
    async run(lab, ctx) {
      const call = await connectedCall(lab, this, ctx);
      await call.staff.openStats();
      await call.client.openStats();
      const overlay = async (page, label) => {
        const text = await page
          .locator(`[data-testid="stats-overlay"] div:has(> dt:text-is("${label}")) > dd`)
          .textContent();
        return Number.parseFloat(text);
      };
      const seen = await until(
        async () => {
          const rtt = await overlay(call.staff.page, 'Round trip');
          const loss = await overlay(call.staff.page, 'Loss');
          const warned = await call.staff.page
            .locator('[data-testid^="warning-"]')
            .first()
            .isVisible();
          return rtt >= 150 && loss > 0 && warned ? { rtt, loss } : null;
        },
        20_000,
        'the staff page showing RTT >= 150 ms, some loss and a network warning',
        500,
      );
      const warnings = await call.staff.page
        .locator('[data-testid^="warning-"]')
        .evaluateAll((els) => els.map((e) => e.dataset.testid));
      ctx.result.notes.push(`overlay ${seen.rtt} ms, ${seen.loss} % loss; ${warnings.join(' ')}`);
      await finish(call);
    },
  },
  {
    name: 'switch',
    about: 'network switch mid-call: ICE restart, fresh TURN credentials, media back, same call',
    /** Whose home moves to another router: staff (home a) or client (home b). */
    mover: 'staff',
    async run(lab, ctx) {
      const call = await connectedCall(lab, this, ctx);
      const staffMoves = this.mover === 'staff';
      const mover = staffMoves ? call.staff : call.client;
      const before = staffMoves ? call.a : call.b;
      const fetchesBefore = mover.iceServerFetches;
      const switchedAt = Date.now();
      mover.log('lab: the network switch');
      execFileSync('bash', ['-euc', lab.switch[this.name]]);
      // Media is back when both sides receive again over a pair on the mover's new address.
      await until(
        async () => {
          const [a, b] = await mediaKeepsFlowing([call.staff, call.client], 250).catch(() => []);
          const moved = staffMoves ? a : b;
          return a && b && moved.local?.address !== before.local?.address;
        },
        SWITCH_BOUND_S * 1000,
        'media flowing again after the switch',
        50,
      );
      const restart = (Date.now() - switchedAt) / 1000;
      ctx.result.restart_s = restart;
      const [a, b] = await mediaKeepsFlowing([call.staff, call.client]);
      const after = staffMoves ? a : b;
      ctx.result.staff_pair = staffMoves ? `${pairText(before)} ⇒ ${pairText(a)}` : pairText(a);
      ctx.result.client_pair = staffMoves ? pairText(b) : `${pairText(before)} ⇒ ${pairText(b)}`;
      expect(mover.iceServerFetches > fetchesBefore, 'the restart fetched no fresh ICE servers');
      const renewed = after.turnUsers.length > 0 && after.turnUsers[0] !== before.turnUsers[0];
      // Firefox's getConfiguration() still names the first TURN user after setConfiguration
      // (open: whether it uses the new one); Chromium's shows the renewed one.
      if (mover.browserName === 'firefox' && !renewed)
        ctx.result.notes.push(`getConfiguration still shows TURN user ${after.turnUsers[0]}`);
      else
        expect(
          renewed,
          `TURN credentials not renewed (${before.turnUsers[0]} -> ${after.turnUsers[0]})`,
        );
      const ids = new Set([...call.staff.callIds, ...call.client.callIds]);
      expect(ids.size === 1, `the pages named ${ids.size} calls: ${[...ids].join(', ')}`);
      const [id] = ids;
      expect(
        (await serverCall(call.base, call.staff.token, id)).state === 'active',
        'call not active',
      );
      ctx.result.notes.push(
        `${this.mover} moved; same call, ${renewed ? 'fresh TURN credentials' : 'ICE servers fetched again'}${restart > 5 ? ', OVER 5 s' : ''}`,
      );
      await finish(call);
    },
  },
  {
    name: 'v6',
    about: 'IPv6 only on both sides, server on [::]',
    async run(lab, ctx) {
      const call = await connectedCall(lab, { ...this, base: lab.base6 }, ctx);
      const v6 = (c) => String(c?.address ?? '').includes(':');
      expect(
        [call.a, call.b].every((s) => v6(s.local) && v6(s.remote)),
        `expected IPv6 candidates, got ${call.a.local?.address} → ${call.a.remote?.address}`,
      );
      ctx.result.notes.push(`${call.a.local.address} ↔ ${call.a.remote.address}`);
      await finish(call);
    },
  },
  {
    name: 'noturn',
    about: 'TURN down and symmetric NATs: fails fast with ice_failed on both pages',
    async run(lab, ctx) {
      const failedBefore = await metric(lab.base, 'switchboard_ice_results_total', {
        result: 'failed',
      });
      const call = await placeAndAccept({
        base: lab.base,
        org: `netlab-${this.name}-${lab.lab}`,
        staffNs: lab.homes[`${this.name}-a`],
        clientNs: lab.homes[`${this.name}-b`],
      });
      ctx.peers.push(call.staff, call.client);
      await Promise.all([call.staff, call.client].map((p) => p.waitPhase('ended', 60_000)));
      const failedIn = (Date.now() - call.acceptedAt) / 1000;
      ctx.result.fail_s = failedIn;
      const ids = new Set([...call.staff.callIds, ...call.client.callIds]);
      const [id] = ids;
      const server = await serverCall(lab.base, call.staff.token, id);
      ctx.result.notes.push(`server: ${server.state}/${server.end_reason}`);
      for (const p of [call.staff, call.client]) {
        const detail = await p.summaryDetail();
        ctx.result.notes.push(`${p.name}: "${detail.slice(0, 60)}"`);
      }
      expect(
        server.state === 'failed' && server.end_reason === 'ice_failed',
        `server has ${server.state}/${server.end_reason}`,
      );
      expect(
        failedIn <= FAIL_BOUND_S,
        `took ${failedIn.toFixed(1)} s to fail (bound ${FAIL_BOUND_S} s)`,
      );
      await until(
        async () =>
          (await metric(lab.base, 'switchboard_ice_results_total', {
            result: 'failed',
          })) > failedBefore,
        5000,
        'switchboard_ice_results_total{result="failed"} counting it',
      );
    },
  },
];

/** The local ICE user fragment of a page's connection (it changes with each ICE restart). */
const ufrag = (peer) =>
  peer.page.evaluate(
    () => /a=ice-ufrag:(\S+)/.exec(window.__switchboard.peer.pc.localDescription.sdp)[1],
  );

ROWS.push({
  name: 'glareff',
  about: 'both sides restart ICE at once (glare), Chromium staff and Firefox client',
  clientBrowser: 'firefox',
  async run(lab, ctx) {
    const call = await connectedCall(lab, this, ctx);
    const peers = [call.staff, call.client];
    const before = await Promise.all(peers.map(ufrag));
    const startedAt = Date.now();
    await Promise.all(
      peers.map((p) => p.page.evaluate(() => window.__switchboard.peer.restartIce('lab glare'))),
    );
    await until(
      async () => {
        const now = await Promise.all(peers.map(ufrag));
        const stable = await Promise.all(
          peers.map((p) =>
            p.page.evaluate(() => window.__switchboard.peer.pc.signalingState === 'stable'),
          ),
        );
        return now.every((u, i) => u !== before[i]) && stable.every(Boolean);
      },
      15_000,
      'new ICE credentials on both sides and signaling stable',
    );
    await Promise.all(peers.map((p) => p.waitPhase('connected', 15_000)));
    await mediaKeepsFlowing(peers);
    ctx.result.restart_s = (Date.now() - startedAt) / 1000;
    ctx.result.notes.push('glare resolved, media flows');
    await finish(call);
  },
});

/** A row again with Firefox as the client (Chromium stays the staff side). */
function withFirefox(name) {
  const row = ROWS.find((r) => r.name === name);
  return {
    ...row,
    name: `${name}ff`,
    about: `${row.about} (client on Firefox)`,
    clientBrowser: 'firefox',
  };
}

ROWS.push(withFirefox('cone'), withFirefox('sym'), withFirefox('switch'), {
  ...withFirefox('switch'),
  name: 'ffswitch',
  about: 'network switch of the Firefox side mid-call (Chromium staff stays)',
  mover: 'client',
});

/** Calls the A/B row may place to see both profiles drawn (each a fair coin: 1 in 512 to miss). */
const AB_MAX_CALLS = 10;

/**
 * The A/B of ICE profiles (docs/config.md#ice-server-profiles) on the lab's second server (`lab.ab_base`, profiles
 * `udp` and `tls443` drawn half and half). Staff sits behind an office firewall that lets out TCP
 * to 443 only: calls that drew `udp` must fail with ice_failed, calls that drew `tls443` must
 * connect through TURN over TLS. The row calls until it has seen both, then reads the ops
 * summary's comparison and takes a screenshot of the dashboard.
 */
ROWS.push({
  name: 'ab',
  about:
    'A/B of ICE profiles behind an office firewall: udp fails, tls443 (turns: on 443) connects',
  timeoutMs: 300_000,
  async run(lab, ctx) {
    const base = lab.ab_base;
    const org = `netlab-ab-${lab.lab}`;
    const staffToken = await devToken(base, org, 'ana', 'staff', 'Ana');
    const clientToken = await devToken(base, org, 'carla', 'client', 'Carla');
    const [staff, client] = await Promise.all([
      LabPeer.open({
        name: 'staff',
        ns: lab.homes['ab-a'],
        base,
        token: staffToken,
        role: 'staff',
      }),
      LabPeer.open({
        name: 'client',
        ns: lab.homes['ab-b'],
        base,
        token: clientToken,
        role: 'client',
      }),
    ]);
    ctx.peers.push(staff, client);
    await staff.goAvailable();
    const seen = { udp: null, tls443: null };
    const draws = [];
    for (let i = 0; i < AB_MAX_CALLS && !(seen.udp && seen.tls443); i++) {
      const before = new Set(staff.callIds);
      if (i > 0) await client.page.locator('[data-testid="summary-close"]').click();
      await client.placeCall();
      await staff.accept();
      const acceptedAt = Date.now();
      const id = await until(
        async () => [...staff.callIds].find((c) => !before.has(c)),
        10_000,
        'the accepted call id',
      );
      const drawn = (await serverCall(base, staffToken, id)).ice_profile;
      draws.push(drawn);
      if (drawn === 'tls443') {
        const took = await mediaBothWays([staff, client], acceptedAt);
        const [a] = await mediaKeepsFlowing([staff, client]);
        expect(
          isRelay(a.local) && a.local.relayProtocol === 'tls',
          `tls443: expected the staff side on a TURN/TLS relay, got ${pairText(a)} over ${a.local?.relayProtocol}`,
        );
        seen.tls443 ??= { took, pair: pairText(a) };
        await client.hangUp();
      } else if (drawn === 'udp') {
        await Promise.all([staff, client].map((p) => p.waitPhase('ended', 30_000)));
        const server = await serverCall(base, staffToken, id);
        expect(
          server.state === 'failed' && server.end_reason === 'ice_failed',
          `udp: expected failed/ice_failed, the server has ${server.state}/${server.end_reason}`,
        );
        seen.udp ??= { took: (Date.now() - acceptedAt) / 1000 };
      } else throw new Error(`call ${id} drew ${drawn}, not one of the lab's profiles`);
      await Promise.all([staff, client].map((p) => p.waitPhase('ended', 10_000)));
    }
    expect(seen.udp && seen.tls443, `${draws.length} calls drew only ${draws.join(', ')}`);
    ctx.result.connected = true;
    ctx.result.accept_to_media_s = seen.tls443.took;
    ctx.result.staff_pair = `${seen.tls443.pair} (tls443)`;
    ctx.result.fail_s = seen.udp.took;
    ctx.result.notes.push(
      `draws ${draws.join(' ')}; udp failed ice_failed, tls443 relayed over tls`,
    );

    const adminToken = await devToken(base, org, 'olga', 'admin', 'Olga');
    const r = await fetch(`${base}/v1/ops/summary`, {
      headers: { Authorization: `Bearer ${adminToken}` },
    });
    const profiles = (await r.json()).ice_profiles ?? [];
    ctx.result.profiles = profiles;
    const of = (name) => profiles.find((p) => p.profile === name);
    expect(
      of('udp')?.success_rate === 0 && of('tls443')?.success_rate === 1,
      `ops summary: ${JSON.stringify(profiles)}`,
    );
    try {
      const ops = await LabPeer.open({
        name: 'ops',
        ns: lab.homes['ab-a'],
        base,
        token: adminToken,
        role: 'ops',
      });
      ctx.peers.push(ops);
      await ops.page.locator('[data-testid="ops-ice-profiles"]').waitFor({ timeout: 15_000 });
      await ops.page.screenshot({
        path: join(lab.out, 'ab-ops.png'),
        fullPage: true,
      });
      ctx.result.notes.push('dashboard: ab-ops.png');
    } catch (e) {
      ctx.result.notes.push(`no dashboard screenshot (${e.message.split('\n')[0]})`);
    }
  },
});
