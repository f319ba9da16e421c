/** The orchestrator with a fake WebSocket, a fake fetch and fake devices: no browser needed. */
import { beforeEach, describe, expect, it, vi } from 'vitest';
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
import { FakeSocket, fakeFetch, makeCall, type FakeRoute } from './test/fakes';

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
  routes: Record<string, FakeRoute | FakeRoute[]>,
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
