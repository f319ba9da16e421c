/** The facade: welcome and resync, messages to the right part, phase effects, dispose. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallPhase } from './call/phases';
import { connectedClient as setup, staffUser } from './test/client';
import { FakeSocket, makeCall, makeStaff } from './test/fakes';
import { FakeDevices, flush } from './test/media';
import type { StaffEntry } from './types';

beforeEach(() => {
  FakeSocket.instances = [];
});

describe('SwitchboardClient, welcome', () => {
  it('rejoins its call from welcome after a reload', async () => {
    const { client, ws } = setup('client', {});
    ws.welcome(undefined, [makeCall()]);
    await flush();
    await flush();
    expect(client.store.phase).toBe(CallPhase.Ringing);
    expect(client.store.getSnapshot().current?.id).toBe('call-1');
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

describe('SwitchboardClient, messages', () => {
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
});

describe('SwitchboardClient, the end of a call', () => {
  it('releases the camera and completes the summary with the server quality', async () => {
    const quality = {
      samples: 3,
      rtt_ms: { avg: 40, max: 60 },
      jitter_ms: { avg: 2, max: 3 },
      packet_loss_pct: { avg: 0, max: 0 },
      bitrate_kbps: {},
      candidate_type: 'host' as const,
    };
    const ended = makeCall({
      state: 'ended',
      version: 4,
      end_reason: 'hangup',
      staff: { id: 'st-1', name: 'Ana' },
      active_at: '2026-11-23T21:00:10.000Z',
      ended_at: '2026-11-23T21:01:10.000Z',
    });
    const { client, ws } = setup('client', {
      'POST /calls': { status: 201, body: makeCall() },
      'GET /calls/call-1': {
        status: 200,
        body: { ...ended, quality: { caller: quality, staff: null } },
      },
    });
    ws.welcome();
    await client.placeCall();
    expect(client.getMediaSnapshot().local).not.toBeNull();
    ws.serverSend({ type: 'call.updated', call: ended });
    expect(client.store.phase).toBe(CallPhase.Ended);
    expect(client.getMediaSnapshot().local).toBeNull();
    await vi.waitFor(() => expect(client.store.getSnapshot().summary?.quality).toEqual(quality));
    expect(client.store.getSnapshot().summary?.durationMs).toBe(60_000);
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
