/** The orchestrator with a fake WebSocket, a fake fetch and fake devices: no browser needed. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallPhase } from './call/phases';
import type { Notice } from './call/CallStore';
import {
  DeviceManager,
  type DeviceLists,
  type MediaChoice,
  type PermissionStatus,
} from './devices/DeviceManager';
import { RestClient } from './rest/RestClient';
import { immediateReconnect } from './signaling/ReconnectPolicy';
import { SwitchboardClient } from './SwitchboardClient';
import { FakeSocket, fakeFetch, makeCall, makeStaff, type FakeRoute } from './test/fakes';
import type { StaffEntry } from './types';

function fakeStream(): MediaStream {
  const track = (kind: string) => ({
    kind,
    enabled: true,
    stop: vi.fn(),
    addEventListener: vi.fn(),
    getSettings: () => ({}),
  });
  const tracks = [track('audio'), track('video')];
  return {
    getTracks: () => tracks,
    getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
    getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
  } as unknown as MediaStream;
}

class FakeDevices extends DeviceManager {
  constructor(
    public perm: PermissionStatus = 'granted',
    public deny = false,
  ) {
    super();
  }
  override permission(): Promise<PermissionStatus> {
    return Promise.resolve(this.perm);
  }
  override getUserMedia(_c: MediaChoice): Promise<MediaStream> {
    if (this.deny)
      return Promise.reject(Object.assign(new Error('denied'), { name: 'NotAllowedError' }));
    return Promise.resolve(fakeStream());
  }
  override watch(): () => void {
    return () => undefined;
  }
  fakeLists: DeviceLists = { audioinput: [], videoinput: [], audiooutput: [] };
  override get lists(): DeviceLists {
    return this.fakeLists;
  }
  /** Plays the browser: the device list changed. */
  plug(lists: DeviceLists): void {
    this.fakeLists = lists;
    this.emit('devices', lists);
  }
}

const device = (kind: MediaDeviceKind, deviceId: string, label: string) =>
  ({ kind, deviceId, label, groupId: 'g' }) as MediaDeviceInfo;

const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(
  role: 'client' | 'staff',
  routes: Parameters<typeof fakeFetch>[0],
  devices = new FakeDevices(),
) {
  const { fetch, requests } = fakeFetch(routes);
  const client = new SwitchboardClient({
    role,
    getToken: () => 'jwt',
    wsUrl: 'ws://test/v1/ws',
    createSocket: (url) => new FakeSocket(url),
    reconnectPolicy: immediateReconnect,
    rest: new RestClient({ getToken: () => 'jwt', fetch }),
    devices,
  });
  const notices: Notice[] = [];
  client.store.on('notice', (n) => notices.push(n));
  client.connect();
  const ws = FakeSocket.latest();
  ws.serverOpen();
  return { client, ws, requests, notices };
}

describe('SwitchboardClient, caller', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('places a call: permission already granted, so straight to ringing', async () => {
    const { client, ws, requests } = setup('client', {
      'POST /calls': { status: 201, body: makeCall() },
    });
    ws.welcome();
    await client.placeCall();
    expect(client.store.phase).toBe(CallPhase.Ringing);
    expect(requests.find((r) => r.path === '/calls')?.headers['Idempotency-Key']).toBeTruthy();
    expect(client.getMediaSnapshot().local).not.toBeNull();
  });

  it('explains first when the browser will prompt, and shows the help when denied', async () => {
    const { client, ws, requests } = setup('client', {}, new FakeDevices('prompt', true));
    ws.welcome();
    await client.placeCall();
    expect(client.store.phase).toBe(CallPhase.RequestingPermission);
    await client.allowMedia();
    expect(client.store.phase).toBe(CallPhase.PermissionDenied);
    expect(client.store.getSnapshot().error?.code).toBe('permission_denied');
    expect(requests.filter((r) => r.path === '/calls')).toHaveLength(0);
  });

  it('rolls back to idle with a friendly error when nobody can be rung', async () => {
    const { client, ws, notices } = setup('client', {
      'POST /calls': {
        status: 409,
        body: { error: { code: 'no_staff_available', message: 'x', retryable: true } },
      },
    });
    ws.welcome();
    await client.placeCall();
    expect(client.store.phase).toBe(CallPhase.Idle);
    expect(client.store.getSnapshot().error?.friendly).toMatch(/Nobody is available/);
    expect(notices).toHaveLength(0);
    expect(client.getMediaSnapshot().local).toBeNull(); // Camera released.
  });

  it('retries a lost create with the same idempotency key', async () => {
    let n = 0;
    const { fetch, requests } = fakeFetch({});
    const flaky = ((input: string, init: RequestInit) => {
      if (n++ === 0) return Promise.reject(new TypeError('network'));
      void fetch(input, init);
      return Promise.resolve(new Response(JSON.stringify(makeCall()), { status: 201 }));
    }) as unknown as typeof globalThis.fetch;
    const client = new SwitchboardClient({
      role: 'client',
      getToken: () => 'jwt',
      createSocket: (url) => new FakeSocket(url),
      rest: new RestClient({ getToken: () => 'jwt', fetch: flaky }),
      devices: new FakeDevices(),
    });
    await client.placeCall();
    expect(client.store.phase).toBe(CallPhase.Ringing);
    expect(requests).toHaveLength(1);
  });

  it('says so when a camera is plugged in mid-call', async () => {
    const devices = new FakeDevices();
    const { client, ws, notices } = setup(
      'client',
      { 'POST /calls': { status: 201, body: makeCall() } },
      devices,
    );
    ws.welcome();
    const cam0 = device('videoinput', 'cam-0', 'Built-in camera');
    devices.plug({ audioinput: [], videoinput: [cam0], audiooutput: [] });
    await client.placeCall();
    await flush();
    devices.plug({
      audioinput: [],
      videoinput: [cam0, device('videoinput', 'cam-1', 'USB camera')],
      audiooutput: [],
    });
    await flush();
    expect(notices.map((n) => n.text)).toContain(
      'New camera found: USB camera. You can switch in Devices.',
    );
  });

  it('rejoins its call from welcome after a reload', async () => {
    const { client, ws } = setup('client', {});
    ws.welcome(undefined, [makeCall()]);
    await flush();
    await flush();
    expect(client.store.phase).toBe(CallPhase.Ringing);
    expect(client.store.getSnapshot().current?.id).toBe('call-1');
  });

  it('cancels a ringing call optimistically and rolls back when refused', async () => {
    const { client, ws, notices } = setup('client', {
      'POST /calls': { status: 201, body: makeCall() },
      'POST /calls/call-1/cancel': {
        status: 503,
        body: { error: { code: 'unavailable', message: 'x', retryable: true } },
      },
    });
    ws.welcome();
    await client.placeCall();
    const p = client.hangUp();
    expect(client.store.getSnapshot().current?.state).toBe('cancelled');
    await p;
    expect(client.store.getSnapshot().current?.state).toBe('ringing');
    expect(client.store.phase).toBe(CallPhase.Ringing);
    expect(notices.at(-1)?.kind).toBe('error');
  });
});

describe('SwitchboardClient, staff', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });
  const staffUser = { id: 'st-me', org: 'org-a', role: 'staff', name: 'Me' };

  it('follows the board when asked; its own availability.updated reaches the event and its row', () => {
    const { client, ws } = setup('staff', {});
    ws.welcome(staffUser);
    expect(ws.sent.some((m) => m.type === 'subscribe')).toBe(false); // not until asked
    client.board.subscribe();
    expect(ws.sent.find((m) => m.type === 'subscribe')).toMatchObject({ topic: 'board' });
    ws.serverSend({
      type: 'board',
      staff: [makeStaff('st-me', { status: 'away' }), makeStaff('st-ana')],
      queue: { length: 0 },
      seq: 1,
    });
    const own: StaffEntry[] = [];
    client.on('availability', (e) => own.push(e));
    ws.serverSend({ type: 'availability.updated', staff: makeStaff('st-me') });
    expect(own.map((e) => `${e.id}:${e.status}`)).toEqual(['st-me:available']);
    expect(client.board.getSnapshot().staff?.map((e) => `${e.id}:${e.status}`)).toEqual([
      'st-me:available',
      'st-ana:available',
    ]);
    client.dispose();
    expect(ws.sent.at(-1)).toEqual({ type: 'unsubscribe', topic: 'board' });
  });

  it('loses the accept race: rolls back, closes the ring, says who answered', async () => {
    const { client, ws, notices } = setup('staff', {
      'POST /calls/call-1/accept': {
        status: 409,
        body: { error: { code: 'call_already_taken', message: 'x', retryable: false } },
      },
    });
    ws.welcome(staffUser);
    ws.serverSend({ type: 'call.incoming', call: makeCall() });
    expect(client.store.getSnapshot().incoming).toHaveLength(1);
    const p = client.accept('call-1');
    expect(client.store.phase).toBe(CallPhase.Accepting);
    ws.serverSend({
      type: 'call.updated',
      call: makeCall({ state: 'accepted', version: 2, staff: { id: 'st-ana', name: 'Ana' } }),
    });
    await p;
    expect(client.store.phase).toBe(CallPhase.Idle);
    expect(client.store.getSnapshot().incoming).toHaveLength(0);
    expect(notices.map((n) => n.text)).toContain('Answered by Ana');
  });

  it('a ring that was stopped for us: the accept closes it with a plain notice', async () => {
    const { client, ws, notices } = setup('staff', {
      'POST /calls/call-1/accept': {
        status: 409,
        body: {
          error: {
            code: 'invalid_transition',
            message: 'x',
            retryable: false,
            details: { state: 'ringing', ring: 'stopped' },
          },
        },
      },
    });
    ws.welcome(staffUser);
    ws.serverSend({ type: 'call.incoming', call: makeCall() });
    await client.accept('call-1');
    expect(client.store.phase).toBe(CallPhase.Idle);
    expect(client.store.getSnapshot().incoming).toHaveLength(0);
    expect(notices.at(-1)).toMatchObject({
      kind: 'info',
      text: 'That call is no longer ringing for you.',
    });
  });

  it('ignores an accept while already accepting (guard)', async () => {
    const { client, ws, requests } = setup('staff', {
      'POST /calls/call-1/accept': {
        status: 409,
        body: { error: { code: 'invalid_transition', message: 'x', retryable: false } },
      },
    });
    ws.welcome(staffUser);
    ws.serverSend({ type: 'call.incoming', call: makeCall() });
    ws.serverSend({ type: 'call.incoming', call: makeCall({ id: 'call-2' }) });
    const p = client.accept('call-1');
    await client.accept('call-2');
    await p;
    expect(requests.filter((r) => r.path.endsWith('/accept'))).toHaveLength(1);
  });

  it('stops ringing at the deadline even when the update is lost', async () => {
    vi.useFakeTimers();
    try {
      const { client, ws, notices } = setup('staff', {
        'GET /calls/call-1': {
          status: 200,
          body: makeCall({ state: 'missed', version: 2, end_reason: 'timeout' }),
        },
      });
      ws.welcome(staffUser);
      const deadline = new Date(Date.now() + 3000).toISOString();
      ws.serverSend({ type: 'call.incoming', call: makeCall({ ring_deadline: deadline }) });
      expect(client.store.getSnapshot().incoming).toHaveLength(1);
      vi.advanceTimersByTime(3600);
      expect(client.store.getSnapshot().incoming).toHaveLength(0);
      expect(notices.map((n) => n.kind)).toContain('missed');
    } finally {
      vi.useRealTimers();
    }
  });

  it('declines optimistically', async () => {
    const { client, ws, requests } = setup('staff', {
      'POST /calls/call-1/decline': { status: 200, body: makeCall() },
    });
    ws.welcome(staffUser);
    ws.serverSend({ type: 'call.incoming', call: makeCall() });
    const p = client.decline('call-1');
    expect(client.store.getSnapshot().incoming).toHaveLength(0);
    await p;
    expect(requests.some((r) => r.method === 'POST' && r.path === '/calls/call-1/decline')).toBe(
      true,
    );
  });

  it('resyncs after a reconnect: a call that ended meanwhile stops ringing', async () => {
    const { client, ws } = setup('staff', {
      'GET /calls/call-1': {
        status: 200,
        body: makeCall({ state: 'cancelled', version: 2, end_reason: 'caller_cancelled' }),
      },
    });
    ws.welcome(staffUser);
    ws.serverSend({ type: 'call.incoming', call: makeCall() });
    ws.serverClose(1006);
    await new Promise((r) => setTimeout(r, 5));
    const ws2 = FakeSocket.latest();
    expect(ws2).not.toBe(ws);
    ws2.serverOpen();
    ws2.welcome(staffUser, []);
    await flush();
    await flush();
    expect(client.store.getSnapshot().incoming).toHaveLength(0);
    expect(client.store.record('call-1')?.view.state).toBe('cancelled');
  });
});

/** Just enough RTCPeerConnection for the orchestrator: states we set, stats we script. */
class ScriptedPc {
  connectionState: RTCPeerConnectionState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  signalingState: RTCSignalingState = 'stable';
  localDescription: RTCSessionDescriptionInit | null = null;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((e: unknown) => void) | null = null;
  ontrack: ((e: unknown) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  /** What getStats() answers, in order (the last one repeats). */
  stats: Map<string, Record<string, unknown>>[] = [];
  statsCalls = 0;
  createDataChannel() {
    return {
      readyState: 'connecting',
      send: vi.fn(),
      close: vi.fn(),
      onopen: null,
      onmessage: null,
    };
  }
  addTrack() {}
  getSenders() {
    return [];
  }
  getTransceivers() {
    return [];
  }
  close() {}
  getStats(): Promise<Map<string, Record<string, unknown>>> {
    const i = Math.min(this.statsCalls++, this.stats.length - 1);
    return Promise.resolve(this.stats[i] ?? new Map());
  }
  setConnection(state: RTCPeerConnectionState) {
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }
}

function selectedPairStats(candidateType: string | null) {
  const entries: Record<string, unknown>[] = [
    { id: 'T1', type: 'transport', timestamp: 1, selectedCandidatePairId: candidateType && 'CP1' },
    { id: 'CP1', type: 'candidate-pair', timestamp: 1, localCandidateId: 'L1', state: 'succeeded' },
    { id: 'L1', type: 'local-candidate', timestamp: 1, candidateType: candidateType ?? 'host' },
  ];
  return new Map(entries.map((e) => [e.id as string, e]));
}

describe('SwitchboardClient, reporting connected', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });
  const staffUser = { id: 'st-me', org: 'org-a', role: 'staff', name: 'Me' };

  /** A staff member accepts call-1; the peer connection is the scripted one. */
  async function acceptedCall(stats: Map<string, Record<string, unknown>>[], waitMs = 1500) {
    const { fetch, requests } = fakeFetch({
      'POST /calls/call-1/accept': {
        status: 200,
        body: makeCall({ state: 'accepted', version: 2, staff: { id: 'st-me', name: 'Me' } }),
      },
      'GET /ice-servers': { status: 200, body: { ice_servers: [], ttl_s: 600 } },
      'POST /calls/call-1/connected': {
        status: 200,
        body: makeCall({ state: 'active', version: 3, staff: { id: 'st-me', name: 'Me' } }),
      },
    });
    let pc: ScriptedPc | null = null;
    const client = new SwitchboardClient({
      role: 'staff',
      getToken: () => 'jwt',
      createSocket: (url) => new FakeSocket(url),
      reconnectPolicy: immediateReconnect,
      rest: new RestClient({ getToken: () => 'jwt', fetch }),
      devices: new FakeDevices(),
      statsIntervalMs: 60_000,
      candidateWaitMs: waitMs,
      createPeerConnection: () => {
        pc = new ScriptedPc();
        pc.stats = stats;
        return pc as unknown as RTCPeerConnection;
      },
    });
    client.connect();
    const ws = FakeSocket.latest();
    ws.serverOpen();
    ws.welcome(staffUser);
    ws.serverSend({ type: 'call.incoming', call: makeCall() });
    await client.accept('call-1');
    for (let i = 0; i < 5 && !pc; i++) await flush();
    if (!pc) throw new Error('no peer connection was built');
    return { client, requests, pc: pc as ScriptedPc };
  }

  const connectedBodies = (requests: { method: string; path: string; body: unknown }[]) =>
    requests.filter((r) => r.method === 'POST' && r.path === '/calls/call-1/connected');

  it('sends the selected candidate type with connected', async () => {
    const { client, requests, pc } = await acceptedCall([selectedPairStats('relay')]);
    pc.setConnection('connected');
    await vi.waitFor(() => expect(client.store.getSnapshot().current?.state).toBe('active'));
    expect(connectedBodies(requests).map((r) => r.body)).toEqual([{ candidate_type: 'relay' }]);
    client.dispose();
  });

  it('asks getStats again when the selected pair is not known yet', async () => {
    const { client, requests, pc } = await acceptedCall([
      selectedPairStats(null),
      selectedPairStats(null),
      selectedPairStats('srflx'),
    ]);
    const before = pc.statsCalls; // The sampler's first round.
    pc.setConnection('connected');
    await vi.waitFor(() => expect(connectedBodies(requests)).toHaveLength(1), { timeout: 2000 });
    expect(connectedBodies(requests)[0]?.body).toEqual({ candidate_type: 'srflx' });
    expect(pc.statsCalls - before).toBeGreaterThanOrEqual(2);
    client.dispose();
  });

  it('reports without a type when the route stays unknown past the bound', async () => {
    const { client, requests, pc } = await acceptedCall([selectedPairStats(null)], 100);
    pc.setConnection('connected');
    await vi.waitFor(() => expect(connectedBodies(requests)).toHaveLength(1), { timeout: 2000 });
    expect(connectedBodies(requests)[0]?.body).toBeUndefined();
    await vi.waitFor(() => expect(client.store.getSnapshot().current?.state).toBe('active'));
    client.dispose();
  });
});

describe('SwitchboardClient, feedback', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  /** A caller whose call ended (cancelled): the summary is up. */
  async function endedCall(feedback: () => Promise<FakeRoute>) {
    const ctx = setup('client', {
      'POST /calls': { status: 201, body: makeCall() },
      'GET /calls/call-1': {
        status: 200,
        body: makeCall({ state: 'cancelled', version: 2, end_reason: 'caller_cancelled' }),
      },
      'POST /calls/call-1/feedback': feedback,
    });
    ctx.ws.welcome();
    await ctx.client.placeCall();
    ctx.ws.serverSend({
      type: 'call.updated',
      call: makeCall({ state: 'cancelled', version: 2, end_reason: 'caller_cancelled' }),
    });
    await flush();
    expect(ctx.client.store.getSnapshot().summary?.callId).toBe('call-1');
    return ctx;
  }

  const summary = (client: SwitchboardClient) => client.store.getSnapshot().summary!;

  it('says thanks only once the server answered 200', async () => {
    let answer!: (r: FakeRoute) => void;
    const { client, requests } = await endedCall(
      () => new Promise<FakeRoute>((res) => (answer = res)),
    );
    const sending = client.sendFeedback({ score: 4, issues: [] });
    await flush();
    expect(summary(client).feedbackSending).toBe(true);
    expect(summary(client).feedbackSent).toBe(false); // No thanks while the request is out.
    expect(await client.sendFeedback({ score: 4, issues: [] })).toBe(false); // No double send.
    answer({ status: 200, body: { call_id: 'call-1', score: 4, issues: [], comment: '' } });
    expect(await sending).toBe(true);
    expect(summary(client)).toMatchObject({
      feedbackSent: true,
      feedbackSending: false,
      feedbackError: null,
    });
    expect(requests.filter((r) => r.path === '/calls/call-1/feedback')).toHaveLength(1);
  });

  it('shows a clear error when the server refuses, and a retry can succeed', async () => {
    const answers: FakeRoute[] = [
      { status: 503, body: { error: { code: 'unavailable', message: 'x', retryable: true } } },
      { status: 200, body: { call_id: 'call-1', score: 2, issues: ['audio'], comment: '' } },
    ];
    const { client, requests } = await endedCall(() => Promise.resolve(answers.shift()!));
    expect(await client.sendFeedback({ score: 2, issues: ['audio'] })).toBe(false);
    expect(summary(client)).toMatchObject({ feedbackSent: false, feedbackSending: false });
    expect(summary(client).feedbackError).toMatch(/having trouble/);
    expect(await client.sendFeedback({ score: 2, issues: ['audio'] })).toBe(true);
    expect(summary(client)).toMatchObject({ feedbackSent: true, feedbackError: null });
    expect(requests.filter((r) => r.path === '/calls/call-1/feedback')).toHaveLength(2);
  });
});

describe('SwitchboardClient, dispose', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('removes the network listeners it added (online and connection change)', () => {
    const win = new EventTarget();
    const connection = new EventTarget();
    vi.stubGlobal('window', win);
    vi.stubGlobal('navigator', { connection });
    const added = vi.spyOn(connection, 'addEventListener');
    const removed = vi.spyOn(connection, 'removeEventListener');
    const winAdded = vi.spyOn(win, 'addEventListener');
    const winRemoved = vi.spyOn(win, 'removeEventListener');
    const { client } = setup('client', {});
    expect(added).toHaveBeenCalledWith('change', expect.any(Function));
    client.dispose();
    expect(removed).toHaveBeenCalledWith('change', added.mock.calls[0]?.[1]);
    expect(winRemoved).toHaveBeenCalledWith('online', winAdded.mock.calls[0]?.[1]);
  });

  it('stops following device changes after dispose', () => {
    const devices = new FakeDevices();
    const { client } = setup('client', {}, devices);
    const reads = vi.spyOn(devices, 'lists', 'get');
    devices.plug({ audioinput: [], videoinput: [], audiooutput: [] });
    expect(reads).toHaveBeenCalled(); // Followed while connected.
    reads.mockClear();
    client.dispose();
    devices.plug({ audioinput: [], videoinput: [], audiooutput: [] });
    expect(reads).not.toHaveBeenCalled();
  });
});
