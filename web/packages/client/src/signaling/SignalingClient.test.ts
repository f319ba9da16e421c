import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket, makeCall } from '../test/fakes';
import { DefaultReconnectPolicy, immediateReconnect } from './ReconnectPolicy';
import { SignalingClient, SignalingState } from './SignalingClient';

function client(opts: Partial<ConstructorParameters<typeof SignalingClient>[0]> = {}) {
  return new SignalingClient({
    url: 'ws://test/v1/ws',
    getToken: () => 'jwt-1',
    createSocket: (url) => new FakeSocket(url),
    reconnectPolicy: immediateReconnect,
    ...opts,
  });
}

describe('SignalingClient', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('sends hello with the token first and opens on welcome', () => {
    const c = client();
    const welcomes: unknown[] = [];
    c.on('welcome', (w) => welcomes.push(w));
    c.connect();
    expect(c.state).toBe(SignalingState.Connecting);
    const ws = FakeSocket.latest();
    ws.serverOpen();
    expect(ws.sent[0]).toEqual({ type: 'hello', token: 'jwt-1' });
    ws.welcome(undefined, [makeCall()]);
    expect(c.state).toBe(SignalingState.Open);
    expect(welcomes).toHaveLength(1);
    expect((welcomes[0] as { reconnect: boolean }).reconnect).toBe(false);
  });

  it('reconnects after a drop and resyncs from the new welcome', () => {
    const c = client();
    const welcomes: { reconnect: boolean; calls: unknown[] }[] = [];
    c.on('welcome', (w) => welcomes.push(w));
    c.connect();
    FakeSocket.latest().serverOpen();
    FakeSocket.latest().welcome();
    FakeSocket.latest().serverClose(1006);
    expect(c.state).toBe(SignalingState.Reconnecting);
    vi.advanceTimersByTime(0);
    expect(FakeSocket.instances).toHaveLength(2);
    const ws2 = FakeSocket.latest();
    ws2.serverOpen();
    expect(ws2.sent[0]).toEqual({ type: 'hello', token: 'jwt-1' });
    ws2.welcome(undefined, [makeCall({ state: 'accepted', version: 2 })]);
    expect(welcomes[1]?.reconnect).toBe(true);
    expect(welcomes[1]?.calls).toHaveLength(1);
    expect(c.state).toBe(SignalingState.Open);
  });

  it('reconnects at once on reconnectNow (a network change), dropping the old socket', () => {
    const c = client({ reconnectPolicy: new DefaultReconnectPolicy() });
    const welcomes: { reconnect: boolean }[] = [];
    c.on('welcome', (w) => welcomes.push(w));
    c.connect();
    const old = FakeSocket.latest();
    old.serverOpen();
    old.welcome();
    c.reconnectNow();
    expect(FakeSocket.instances).toHaveLength(2);
    expect(old.closedWith).toBe(4000);
    const ws2 = FakeSocket.latest();
    ws2.serverOpen();
    ws2.welcome();
    expect(welcomes[1]?.reconnect).toBe(true);
    expect(c.state).toBe(SignalingState.Open);
  });

  it('does not reconnect when the server refuses the token', () => {
    const c = client();
    let authFailed = 0;
    c.on('authFailed', () => authFailed++);
    c.connect();
    FakeSocket.latest().serverOpen();
    FakeSocket.latest().serverClose(4001, 'unauthenticated');
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(c.state).toBe(SignalingState.Closed);
    expect(authFailed).toBe(1);
  });

  it('backs off between attempts as the policy says', () => {
    const delays = [100, 200, 400];
    const c = client({ reconnectPolicy: { nextDelayMs: (n) => delays[n] ?? 400 } });
    c.connect();
    FakeSocket.latest().serverClose(1006);
    vi.advanceTimersByTime(99);
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.latest().serverClose(1006);
    vi.advanceTimersByTime(199);
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(3);
  });

  it('numbers signals per connection and refuses to send while down', () => {
    const c = client();
    c.connect();
    expect(c.sendSignal('call-1', 'offer', { type: 'offer', sdp: 'x' })).toBe(false);
    FakeSocket.latest().serverOpen();
    FakeSocket.latest().welcome();
    c.sendSignal('call-1', 'offer', { type: 'offer', sdp: 'x' });
    c.sendSignal('call-1', 'candidate', { candidate: '' });
    const sent = FakeSocket.latest().sent.slice(1);
    expect(sent.map((m) => m.seq)).toEqual([1, 2]);
    expect(sent[0]).toMatchObject({ type: 'signal', call_id: 'call-1', kind: 'offer' });
  });

  it('pings when quiet and reconnects when no answer comes', () => {
    const c = client({ pingIntervalMs: 1000, pongTimeoutMs: 500 });
    c.connect();
    const ws = FakeSocket.latest();
    ws.serverOpen();
    ws.welcome();
    vi.advanceTimersByTime(1000);
    expect(ws.sent.at(-1)).toEqual({ type: 'ping' });
    vi.advanceTimersByTime(500);
    expect(ws.closedWith).toBe(4000);
    vi.advanceTimersByTime(1); // A zero delay set inside a fake timer counts as 1 ms.
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('reconnects when no welcome arrives in time', () => {
    const c = client({ welcomeTimeoutMs: 300 });
    c.connect();
    FakeSocket.latest().serverOpen();
    vi.advanceTimersByTime(300);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(2);
  });
});

describe('DefaultReconnectPolicy', () => {
  it('grows exponentially with jitter between half the ceiling and the ceiling, capped', () => {
    const low = new DefaultReconnectPolicy(500, 15_000, () => 0);
    const high = new DefaultReconnectPolicy(500, 15_000, () => 1);
    expect([0, 1, 2, 3].map((n) => low.nextDelayMs(n))).toEqual([250, 500, 1000, 2000]);
    expect([0, 1, 2, 3].map((n) => high.nextDelayMs(n))).toEqual([500, 1000, 2000, 4000]);
    expect(high.nextDelayMs(30)).toBe(15_000);
    expect(low.nextDelayMs(30)).toBe(7_500);
  });

  it('gives up after maxAttempts when set', () => {
    const p = new DefaultReconnectPolicy(500, 15_000, () => 0.5, 2);
    expect(p.nextDelayMs(1)).not.toBeNull();
    expect(p.nextDelayMs(2)).toBeNull();
  });
});
