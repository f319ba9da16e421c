import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../errors';
import { RestClient } from '../rest/RestClient';
import { immediateReconnect } from '../signaling/ReconnectPolicy';
import { SignalingClient, SignalingState } from '../signaling/SignalingClient';
import { FakeSocket, fakeFetch, makeCall, type FakeRoute } from '../test/fakes';
import type { Call, StaffEntry } from '../types';
import { OpsMonitor } from './OpsMonitor';

const SUMMARY = {
  window_seconds: 3600,
  generated_at: 1795483094015,
  funnel: { created: 1, accepted: 0, connected: 0, by_state: {}, by_reason: {} },
  setup_seconds: { count: 0, p50: 0, p90: 0, p99: 0 },
  connect_seconds: { count: 0, p50: 0, p90: 0, p99: 0 },
  ice: { connected: 0, failed: 0, success_rate: 0, turn_share: 0 },
  worst_calls: [],
};

const staff = (id: string, over: Partial<StaffEntry> = {}): StaffEntry => ({
  id,
  name: id,
  status: 'away',
  state: 'idle',
  connected: true,
  since: null,
  call_id: null,
  ...over,
});

const ok = (body: unknown): FakeRoute => ({ status: 200, body });
const page = (calls: Call[]) => ok({ calls, next: null });

function setup(routes: Parameters<typeof fakeFetch>[0] = {}) {
  const { fetch, requests } = fakeFetch({
    'GET /ops/summary': ok(SUMMARY),
    'GET /staff/availability': ok({ staff: [staff('ana'), staff('ben')] }),
    'GET /calls?state=ringing&limit=100': page([makeCall({ id: 'r1' })]),
    'GET /calls?state=accepted&limit=100': page([]),
    'GET /calls?state=active&limit=100': page([]),
    ...routes,
  });
  const rest = new RestClient({ getToken: () => 'jwt', fetch });
  const signaling = new SignalingClient({
    url: 'ws://test/v1/ws',
    getToken: () => 'jwt',
    createSocket: (url) => new FakeSocket(url),
    reconnectPolicy: immediateReconnect,
  });
  const monitor = new OpsMonitor({ getToken: () => 'jwt', rest, signaling });
  const count = (path: string) => requests.filter((r) => r.path === path).length;
  return { monitor, requests, count };
}

/** A route answering `first` at once, then holding its second answer until `release`. */
function heldSecond(first: FakeRoute) {
  let n = 0;
  let release: (r: FakeRoute) => void = () => undefined;
  const route = (): FakeRoute | Promise<FakeRoute> =>
    ++n === 2 ? new Promise<FakeRoute>((res) => (release = res)) : first;
  return { route, release: (r: FakeRoute) => release(r) };
}

const board = (list: StaffEntry[], seq = 1, queue = 0) => ({
  type: 'board',
  staff: list,
  queue: { length: queue },
  seq,
});
const updated = (list: StaffEntry[], seq: number, queue = 0) => ({
  ...board(list, seq, queue),
  type: 'board.updated',
});

function openSocket(): FakeSocket {
  const ws = FakeSocket.latest();
  ws.serverOpen();
  ws.welcome({ id: 'adm', org: 'org-a', role: 'admin', name: 'Ada' });
  return ws;
}

describe('OpsMonitor', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('loads the summary, the staff board and the live calls, then polls', async () => {
    const { monitor, count } = setup();
    monitor.start();
    await vi.advanceTimersByTimeAsync(0);
    const s = monitor.getSnapshot();
    expect(s.access).toBe('allowed');
    expect(s.summary?.funnel.created).toBe(1);
    expect(s.staff?.map((e) => e.id)).toEqual(['ana', 'ben']);
    expect(s.liveCalls?.map((c) => c.id)).toEqual(['r1']);
    expect(s.error).toBeNull();
    expect(s.refreshedAt).not.toBeNull();
    expect(count('/ops/summary')).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(count('/ops/summary')).toBe(2);
    expect(count('/calls?state=active&limit=100')).toBe(2);
    monitor.stop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(count('/ops/summary')).toBe(2);
  });

  it('stops polling and says so when the server answers 403 (not an admin)', async () => {
    const { monitor, count } = setup({
      'GET /ops/summary': {
        status: 403,
        body: { error: { code: 'forbidden', message: 'No.', retryable: false } },
      },
    });
    monitor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(monitor.getSnapshot().access).toBe('forbidden');
    expect(monitor.getSnapshot().signaling).toBe(SignalingState.Closed);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(count('/ops/summary')).toBe(1);
    monitor.stop();
  });

  it('shows the fetched list until the board snapshot replaces it', async () => {
    const { monitor } = setup();
    monitor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(monitor.getSnapshot().staff?.map((e) => e.id)).toEqual(['ana', 'ben']);
    const ws = openSocket();
    expect(ws.sent.find((m) => m.type === 'subscribe')).toMatchObject({ topic: 'board' });
    await vi.advanceTimersByTimeAsync(0);
    ws.serverSend(board([staff('ben', { status: 'available' }), staff('cleo')], 1, 2));
    // Replaced, not merged (ana is gone), and sorted: the available person comes first.
    expect(monitor.getSnapshot().staff?.map((e) => `${e.id}:${e.status}`)).toEqual([
      'ben:available',
      'cleo:away',
    ]);
    expect(monitor.getSnapshot().queueLength).toBe(2);
    monitor.stop();
  });

  it('shows board.updated at once, refreshes the calls shortly after, and stops fetching staff', async () => {
    const { monitor, count } = setup();
    monitor.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = openSocket();
    await vi.advanceTimersByTimeAsync(0);
    expect(monitor.getSnapshot().signaling).toBe(SignalingState.Open);
    expect(monitor.getSnapshot().me?.role).toBe('admin');
    ws.serverSend(board([staff('ana'), staff('ben')]));
    const staffFetches = count('/staff/availability');
    const before = count('/ops/summary');
    ws.serverSend(updated([staff('ben', { status: 'available' })], 2, 1));
    expect(monitor.getSnapshot().staff?.map((e) => `${e.id}:${e.status}`)).toEqual([
      'ben:available',
      'ana:away',
    ]);
    expect(monitor.getSnapshot().queueLength).toBe(1);
    await vi.advanceTimersByTimeAsync(399);
    expect(count('/ops/summary')).toBe(before);
    await vi.advanceTimersByTimeAsync(1);
    expect(count('/ops/summary')).toBe(before + 1);
    expect(count('/calls?state=ringing&limit=100')).toBe(before + 1);
    await vi.advanceTimersByTimeAsync(10_000); // two polls
    expect(count('/ops/summary')).toBe(before + 3);
    expect(count('/staff/availability')).toBe(staffFetches);
    monitor.stop();
  });

  it('drops a fetched list that comes back after the board went live', async () => {
    const { route, release } = heldSecond(ok({ staff: [staff('ana')] }));
    const { monitor } = setup({ 'GET /staff/availability': route });
    monitor.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = openSocket(); // welcome: a refresh whose staff answer is held back
    await vi.advanceTimersByTimeAsync(0);
    ws.serverSend(board([staff('ana', { status: 'available' })]));
    release(ok({ staff: [staff('ana', { status: 'away' }), staff('zed')] }));
    await vi.advanceTimersByTimeAsync(0);
    expect(monitor.getSnapshot().staff?.map((e) => `${e.id}:${e.status}`)).toEqual([
      'ana:available',
    ]);
    expect(monitor.getSnapshot().error).toBeNull();
    monitor.stop();
  });

  it('falls back to fetching the staff while the board is down, and resubscribes on reconnect', async () => {
    const { monitor, count } = setup({
      'GET /staff/availability': [
        ok({ staff: [staff('ana')] }),
        ok({ staff: [staff('ana', { status: 'available', connected: false })] }),
      ],
    });
    monitor.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = openSocket();
    await vi.advanceTimersByTimeAsync(0);
    ws.serverSend(board([staff('ana', { status: 'available' })]));
    const fetches = count('/staff/availability');

    ws.serverClose(1006); // the new socket stays unopened: reconnecting
    await vi.advanceTimersByTimeAsync(5000);
    expect(count('/staff/availability')).toBe(fetches + 1);
    expect(monitor.getSnapshot().staff?.[0]).toMatchObject({ id: 'ana', connected: false });

    const ws2 = openSocket();
    expect(ws2).not.toBe(ws);
    expect(ws2.sent.filter((m) => m.type === 'subscribe')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(0);
    ws2.serverSend(board([staff('ana', { status: 'available', state: 'in_call' })]));
    expect(monitor.getSnapshot().staff?.[0]).toMatchObject({ connected: true, state: 'in_call' });
    monitor.stop();
  });

  it('removes a live call on its terminal call.updated, even when a fetch was under way', async () => {
    const { route, release } = heldSecond(page([makeCall({ id: 'r1' })]));
    const { monitor } = setup({ 'GET /calls?state=ringing&limit=100': route });
    monitor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(monitor.getSnapshot().liveCalls).toHaveLength(1);
    const ws = openSocket(); // second refresh: held back
    await vi.advanceTimersByTimeAsync(0);
    ws.serverSend({
      type: 'call.updated',
      call: makeCall({ id: 'r1', state: 'missed', version: 2, end_reason: 'timeout' }),
    });
    expect(monitor.getSnapshot().liveCalls).toEqual([]);
    release(page([makeCall({ id: 'r1' })])); // the stale answer still lists it as ringing
    await vi.advanceTimersByTimeAsync(0);
    expect(monitor.getSnapshot().liveCalls).toEqual([]);
    monitor.stop();
  });

  it('never runs two refreshes at once: asks during one give exactly one more', async () => {
    const { monitor, count } = setup();
    monitor.start();
    void monitor.refresh();
    void monitor.refresh();
    void monitor.refresh();
    await vi.advanceTimersByTimeAsync(0);
    expect(count('/ops/summary')).toBe(2);
    monitor.stop();
  });

  it('keeps the last data when a refresh fails and clears the error on the next success', async () => {
    const { monitor } = setup({
      'GET /calls?state=accepted&limit=100': [
        page([]),
        { status: 503, body: { error: { code: 'unavailable', message: 'x', retryable: true } } },
        page([]),
      ],
    });
    monitor.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(5000);
    const s = monitor.getSnapshot();
    expect(s.error?.code).toBe(ErrorCode.Unavailable);
    expect(s.liveCalls?.map((c) => c.id)).toEqual(['r1']);
    expect(s.summary).not.toBeNull();
    await vi.advanceTimersByTimeAsync(5000);
    expect(monitor.getSnapshot().error).toBeNull();
    monitor.stop();
  });

  it('refuses a summary in the wrong shape without dropping the rest', async () => {
    const { monitor } = setup({ 'GET /ops/summary': ok({ nope: 1 }) });
    monitor.start();
    await vi.advanceTimersByTimeAsync(0);
    const s = monitor.getSnapshot();
    expect(s.summary).toBeNull();
    expect(s.error?.code).toBe(ErrorCode.Unknown);
    expect(s.staff).toHaveLength(2);
    monitor.stop();
  });
});
