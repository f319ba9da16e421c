/**
 * The call's connection on a scripted RTCPeerConnection: early signals, the rebuild after the
 * other side's reload, and `POST /connected` with the route's candidate type.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CallStore } from '../call/CallStore';
import { RestClient } from '../rest/RestClient';
import { immediateReconnect } from '../signaling/ReconnectPolicy';
import { SignalingClient } from '../signaling/SignalingClient';
import { FakeSocket, fakeFetch, makeCall } from '../test/fakes';
import { fakeStream, FakeDevices, ScriptedPc, selectedPairStats } from '../test/media';
import { MediaController } from './MediaController';
import { PeerController } from './PeerController';

const staff = { id: 'st-me', name: 'Me' };
const accepted = makeCall({ state: 'accepted', version: 2, staff });

/** A staff member's accepted call-1 with local media, ready to connect. */
const iceOk = { status: 200, body: { ice_servers: [], ttl_s: 600 } };

function setup(
  stats: Map<string, Record<string, unknown>>[] = [],
  candidateWaitMs = 1500,
  leftGraceMs = 50,
  iceServers: typeof iceOk | (typeof iceOk | { status: number })[] = iceOk,
) {
  const { fetch, requests } = fakeFetch({
    'GET /ice-servers': iceServers,
    'POST /calls/call-1/connected': {
      status: 200,
      body: makeCall({ state: 'active', version: 3, staff }),
    },
  });
  const store = new CallStore('staff');
  store.setCurrent(accepted);
  const rest = new RestClient({ getToken: () => 'jwt', fetch });
  const signaling = new SignalingClient({
    getToken: () => 'jwt',
    createSocket: (url) => new FakeSocket(url),
    reconnectPolicy: immediateReconnect,
  });
  const pcs: ScriptedPc[] = [];
  const onOtherLeft = vi.fn();
  let peers: PeerController | null = null;
  const media = new MediaController({
    devices: new FakeDevices(),
    store,
    currentPeer: () => peers?.current ?? null,
  });
  media.setLocalStream(fakeStream());
  peers = new PeerController({
    role: 'staff',
    store,
    rest,
    signaling,
    media,
    onFailed: vi.fn(),
    onOtherLeft,
    leftGraceMs,
    statsIntervalMs: 60_000,
    candidateWaitMs,
    createPeerConnection: () => {
      const pc = new ScriptedPc();
      pc.stats = stats;
      pcs.push(pc);
      return pc as unknown as RTCPeerConnection;
    },
  });
  return { store, peers, pcs, requests, media, onOtherLeft };
}

const offer = { type: 'offer', sdp: 'their-offer' } as const;

describe('PeerController, signals', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('gives the connection the signals that came before it was built', async () => {
    const { peers, pcs } = setup();
    peers.handleSignal('call-1', 'offer', offer);
    peers.handleSignal('call-1', 'candidate', { candidate: 'c1' });
    peers.handleSignal('call-9', 'candidate', { candidate: 'other call' });
    await peers.start();
    await vi.waitFor(() =>
      expect(pcs[0]?.applied).toEqual(['remote offer:their-offer', 'candidate c1']),
    );
    peers.close();
  });

  it('rebuilds when their offer cannot apply, and replays it with the candidates after it', async () => {
    const { peers, pcs } = setup();
    await peers.start();
    const first = pcs[0];
    first.refuseRemote = true; // They reloaded: our connection is not the one they offer to.
    peers.handleSignal('call-1', 'offer', offer);
    peers.handleSignal('call-1', 'candidate', { candidate: 'c1' });
    await vi.waitFor(() => expect(pcs).toHaveLength(2));
    expect(first.closed).toBe(true);
    expect(peers.current?.pc).toBe(pcs[1]);
    await vi.waitFor(() =>
      expect(pcs[1]?.applied).toEqual(['remote offer:their-offer', 'candidate c1']),
    );
    peers.close();
  });

  it('after a network change, restarts ICE with fresh servers once signaling is back', async () => {
    const win = new EventTarget();
    vi.stubGlobal('window', win);
    vi.stubGlobal('navigator', {});
    try {
      const { peers, requests } = setup();
      const reconnect = vi.fn();
      const stop = peers.followNetwork(reconnect);
      await peers.start();
      const restart = vi.spyOn(peers.current as NonNullable<typeof peers.current>, 'restartIce');
      win.dispatchEvent(new Event('online'));
      expect(reconnect).toHaveBeenCalledTimes(1);
      expect(restart).not.toHaveBeenCalled(); // The old socket may be dead: wait for the new one.
      peers.signalingReady();
      expect(restart).toHaveBeenCalledWith('network change');
      await vi.waitFor(() =>
        expect(
          requests.filter((r) => r.method === 'GET' && r.path.startsWith('/ice-servers')),
        ).toHaveLength(2),
      );
      peers.signalingReady(); // A later reconnect without a network change: no second restart.
      expect(restart).toHaveBeenCalledTimes(1);
      stop();
      peers.close();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('when a restart cannot fetch ICE servers, reconnects signaling and restarts once it is back', async () => {
    // Firefox tells pages of no network change: a failed fetch is how its side notices one.
    const { peers, pcs, requests } = setup([], 1500, 50, [iceOk, { status: 503 }, iceOk]);
    const reconnect = vi.fn();
    const stop = peers.followNetwork(reconnect);
    await peers.start();
    pcs[0]?.setConnection('connected');
    pcs[0]?.setConnection('failed'); // The path is gone: the session restarts ICE itself.
    await vi.waitFor(() => expect(reconnect).toHaveBeenCalled());
    const restart = vi.spyOn(peers.current as NonNullable<typeof peers.current>, 'restartIce');
    peers.signalingReady();
    expect(restart).toHaveBeenCalledWith('network change');
    const iceFetches = () =>
      requests.filter((r) => r.method === 'GET' && r.path.startsWith('/ice-servers'));
    await vi.waitFor(() => expect(iceFetches()).toHaveLength(3));
    // Each names the call: its servers come from the ICE profile it drew (docs/config.md#ice-server-profiles).
    expect(iceFetches().map((r) => r.path)).toEqual(Array(3).fill('/ice-servers?call_id=call-1'));
    // One restart: the one asked for when signaling came back found the first still fetching,
    // whose offer then goes out on the new socket; fresh servers are fetched after all the same.
    await vi.waitFor(() => expect(pcs[0]?.restarts).toBe(1));
    stop();
    peers.close();
  });

  it('media lost: reconnects signaling, and restarts again only if media is still lost', async () => {
    const { peers, pcs, requests } = setup();
    const reconnect = vi.fn();
    const stop = peers.followNetwork(reconnect);
    await peers.start();
    pcs[0]?.setConnection('connected');
    pcs[0]?.setConnection('failed');
    expect(reconnect).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(pcs[0]?.restarts).toBe(1));
    pcs[0]?.setConnection('connected'); // The first restart brought it back.
    const fetches = requests.length;
    peers.signalingReady();
    await Promise.resolve();
    expect(pcs[0]?.restarts).toBe(1);
    // No second restart, but fresh ICE servers all the same.
    await vi.waitFor(() => expect(requests.length).toBe(fetches + 1));
    stop();
    peers.close();
  });

  it('does not build for an ended call, nor twice', async () => {
    const { store, peers, pcs } = setup();
    await peers.start();
    await peers.start();
    expect(pcs).toHaveLength(1);
    peers.close();
    store.applyServerCall(makeCall({ state: 'ended', version: 5, staff, end_reason: 'hangup' }));
    await peers.start();
    expect(pcs).toHaveLength(1);
  });
});

describe('PeerController, reporting connected', () => {
  const connectedBodies = (requests: { method: string; path: string; body: unknown }[]) =>
    requests.filter((r) => r.method === 'POST' && r.path === '/calls/call-1/connected');

  async function connected(stats: Map<string, Record<string, unknown>>[], waitMs = 1500) {
    const ctx = setup(stats, waitMs);
    await ctx.peers.start();
    return { ...ctx, pc: ctx.pcs[0] };
  }

  it('sends the selected candidate type with connected', async () => {
    const { store, peers, requests, pc } = await connected([selectedPairStats('relay')]);
    pc.setConnection('connected');
    await vi.waitFor(() => expect(store.getSnapshot().current?.state).toBe('active'));
    expect(connectedBodies(requests).map((r) => r.body)).toEqual([{ candidate_type: 'relay' }]);
    peers.close();
  });

  it('asks getStats again when the selected pair is not known yet', async () => {
    const { peers, requests, pc } = await connected([
      selectedPairStats(null),
      selectedPairStats(null),
      selectedPairStats('srflx'),
    ]);
    const before = pc.statsCalls; // The sampler's first round.
    pc.setConnection('connected');
    await vi.waitFor(() => expect(connectedBodies(requests)).toHaveLength(1), { timeout: 2000 });
    expect(connectedBodies(requests)[0]?.body).toEqual({ candidate_type: 'srflx' });
    expect(pc.statsCalls - before).toBeGreaterThanOrEqual(2);
    peers.close();
  });

  it('reports without a type when the route stays unknown past the bound', async () => {
    const { store, peers, requests, pc } = await connected([selectedPairStats(null)], 100);
    pc.setConnection('connected');
    await vi.waitFor(() => expect(connectedBodies(requests)).toHaveLength(1), { timeout: 2000 });
    expect(connectedBodies(requests)[0]?.body).toBeUndefined();
    await vi.waitFor(() => expect(store.getSnapshot().current?.state).toBe('active'));
    peers.close();
  });

  it('reports once per call, however often the connection comes back', async () => {
    const { peers, requests, pc } = await connected([selectedPairStats('host')]);
    pc.setConnection('connected');
    await vi.waitFor(() => expect(connectedBodies(requests)).toHaveLength(1));
    pc.setConnection('disconnected');
    pc.setConnection('connected');
    await new Promise((r) => setTimeout(r, 20));
    expect(connectedBodies(requests)).toHaveLength(1);
    peers.close();
  });
});

describe('PeerController, the other side leaves', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('says so at once when they say bye, and ends the call as caller_left after the grace', async () => {
    const { peers, pcs, media, onOtherLeft } = setup();
    await peers.start();
    pcs[0].channel?.onmessage?.({ data: JSON.stringify({ type: 'bye' }) });
    expect(media.snapshot.remoteLeft).toBe(true);
    expect(onOtherLeft).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(onOtherLeft).toHaveBeenCalledExactlyOnceWith('caller_left'));
    peers.close();
  });

  it('keeps the call when they come back (a reload: their fresh offer arrives)', async () => {
    const { peers, pcs, media, onOtherLeft } = setup([], 1500, 200);
    await peers.start();
    pcs[0].channel?.onmessage?.({ data: JSON.stringify({ type: 'bye' }) });
    peers.handleSignal('call-1', 'offer', offer);
    expect(media.snapshot.remoteLeft).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(onOtherLeft).not.toHaveBeenCalled();
    peers.close();
  });

  it('takes a control channel closed on a working connection as leaving, not one closed by trouble', async () => {
    const { peers, pcs, media } = setup([], 1500, 60_000);
    await peers.start();
    pcs[0].connectionState = 'disconnected';
    pcs[0].channel?.onclose?.();
    expect(media.snapshot.remoteLeft).toBe(false);
    pcs[0].connectionState = 'connected';
    pcs[0].channel?.onclose?.();
    expect(media.snapshot.remoteLeft).toBe(true);
    peers.close();
    expect(media.snapshot.remoteLeft).toBe(false);
  });
});
