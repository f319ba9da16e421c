/**
 * Perfect negotiation and ICE restarts against a scripted RTCPeerConnection double: the decisions
 * (who offers, who ignores, who rolls back, what is sent as "restart") without a browser.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SignalData, SignalKind } from '../types';
import { PeerSession } from './PeerSession';

class FakePc {
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  config: RTCConfiguration;
  calls: string[] = [];
  candidates: (RTCIceCandidateInit | undefined)[] = [];
  senders: { track: { id: string; kind: string } | null }[] = [];
  failNextRemote = false;
  restartPending = false;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((e: { candidate: { toJSON(): RTCIceCandidateInit } | null }) => void) | null =
    null;
  ontrack: ((e: unknown) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  private n = 0;

  constructor(config: RTCConfiguration) {
    this.config = config;
  }
  createDataChannel() {
    return {
      readyState: 'connecting',
      send: vi.fn(),
      close: vi.fn(),
      onopen: null,
      onmessage: null,
    };
  }
  private nnQueued = false;
  /** Like the browser: one negotiationneeded for a batch of changes, only when stable. */
  private needNegotiation() {
    if (this.nnQueued) return;
    this.nnQueued = true;
    queueMicrotask(() => {
      this.nnQueued = false;
      if (this.signalingState === 'stable') this.onnegotiationneeded?.();
    });
  }
  addTrack(track: { id: string; kind: string }) {
    this.senders.push({ track });
    this.calls.push(`addTrack ${track.kind}`);
    this.needNegotiation();
  }
  getSenders() {
    return this.senders;
  }
  getTransceivers() {
    return [];
  }
  getConfiguration() {
    return this.config;
  }
  setConfiguration(c: RTCConfiguration) {
    this.config = c;
    this.calls.push('setConfiguration');
  }
  restartIce() {
    this.calls.push('restartIce');
    this.restartPending = true;
    this.needNegotiation();
  }
  async setLocalDescription(d?: RTCSessionDescriptionInit) {
    await Promise.resolve();
    const type = d?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
    if (type === 'rollback') {
      this.signalingState = 'stable';
      this.localDescription = null;
      return;
    }
    this.localDescription = {
      type,
      sdp: `${type}-${++this.n}${this.restartPending ? '-restart' : ''}`,
    };
    this.restartPending = false;
    this.signalingState = type === 'offer' ? 'have-local-offer' : 'stable';
    this.calls.push(`setLocal ${type}`);
  }
  async setRemoteDescription(d: RTCSessionDescriptionInit) {
    await Promise.resolve();
    if (this.failNextRemote) {
      this.failNextRemote = false;
      throw new Error('InvalidAccessError: fingerprint changed');
    }
    if (d.type === 'offer' && this.signalingState === 'have-local-offer') {
      this.calls.push('rollback'); // Implicit rollback (the polite peer's path).
    }
    this.remoteDescription = d;
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
    this.calls.push(`setRemote ${d.type}`);
  }
  async addIceCandidate(c?: RTCIceCandidateInit) {
    await Promise.resolve();
    this.candidates.push(c);
  }
  close() {
    this.calls.push('close');
  }
  setConnection(state: RTCPeerConnectionState) {
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }
}

const stream = {
  getTracks: () => [
    { id: 'a1', kind: 'audio' },
    { id: 'v1', kind: 'video' },
  ],
} as unknown as MediaStream;

function make(opts: {
  polite: boolean;
  initiator: boolean;
  fetchIceServers?: () => Promise<RTCIceServer[]>;
}) {
  const sent: { kind: SignalKind; data: SignalData; delivered: boolean }[] = [];
  const signaling = { up: true };
  let pc!: FakePc;
  const session = new PeerSession({
    callId: 'call-1',
    polite: opts.polite,
    initiator: opts.initiator,
    iceServers: [{ urls: ['stun:old'] }],
    localStream: stream,
    sendSignal: (kind, data) => {
      sent.push({ kind, data, delivered: signaling.up });
      return signaling.up;
    },
    fetchIceServers: opts.fetchIceServers ?? (() => Promise.resolve([{ urls: ['turn:fresh'] }])),
    createPeerConnection: (config) => {
      pc = new FakePc(config);
      return pc as unknown as RTCPeerConnection;
    },
    giveUpAfterMs: 20_000,
  });
  return { session, sent, signaling, pc: () => pc };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('PeerSession', () => {
  it('the staff member (initiator) offers first', async () => {
    const { session, sent, pc } = make({ polite: false, initiator: true });
    session.start();
    await settle();
    expect(pc().calls.filter((c) => c.startsWith('addTrack'))).toHaveLength(2);
    expect(sent.map((s) => s.kind)).toEqual(['offer']);
  });

  it('the caller stays quiet until the first offer, then answers with its tracks', async () => {
    const { session, sent, pc } = make({ polite: true, initiator: false });
    session.start();
    pc().onnegotiationneeded?.(); // Its data channel alone would make the browser ask.
    await settle();
    expect(sent).toHaveLength(0);
    await session.handleSignal('offer', { type: 'offer', sdp: 'their-offer' });
    await settle();
    expect(pc().calls).toContain('setRemote offer');
    expect(pc().calls.filter((c) => c.startsWith('addTrack'))).toHaveLength(2);
    expect(sent.map((s) => s.kind)).toContain('answer');
  });

  it('queues candidates that arrive before the remote description', async () => {
    const { session, pc } = make({ polite: true, initiator: false });
    await session.handleSignal('candidate', { candidate: 'c1', sdpMid: '0' });
    expect(pc().candidates).toHaveLength(0);
    await session.handleSignal('offer', { type: 'offer', sdp: 'o' });
    expect(pc().candidates).toEqual([{ candidate: 'c1', sdpMid: '0' }]);
  });

  it('sends each candidate as its init, and the end of candidates as an object, never null', () => {
    const { sent, pc } = make({ polite: false, initiator: true });
    const init = { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0' };
    pc().onicecandidate?.({ candidate: { toJSON: () => init } });
    pc().onicecandidate?.({ candidate: null });
    expect(sent).toEqual([
      { kind: 'candidate', data: init, delivered: true },
      { kind: 'candidate', data: { candidate: '' }, delivered: true },
    ]);
    expect(JSON.stringify(sent[1]?.data)).toBe('{"candidate":""}');
  });

  it('hands a received end of candidates to the connection, queued before the description', async () => {
    const { session, pc } = make({ polite: true, initiator: false });
    await session.handleSignal('candidate', { candidate: 'c1', sdpMid: '0' });
    await session.handleSignal('candidate', { candidate: '' });
    await session.handleSignal('offer', { type: 'offer', sdp: 'o' });
    await session.handleSignal('candidate', { candidate: '' });
    expect(pc().candidates).toEqual([
      { candidate: 'c1', sdpMid: '0' },
      { candidate: '' },
      { candidate: '' },
    ]);
  });

  it('glare: the impolite staff member ignores the colliding offer', async () => {
    const { session, sent, pc } = make({ polite: false, initiator: true });
    session.start();
    await settle();
    expect(pc().signalingState).toBe('have-local-offer');
    await session.handleSignal('restart', { type: 'offer', sdp: 'their-restart' });
    expect(pc().calls).not.toContain('setRemote offer');
    expect(sent.filter((s) => s.kind === 'answer')).toHaveLength(0);
  });

  it('glare: the polite caller rolls back its own offer and answers theirs', async () => {
    const { session, sent, pc } = make({ polite: true, initiator: false });
    await session.handleSignal('offer', { type: 'offer', sdp: 'first' });
    await settle();
    await session.restartIce('test');
    await settle();
    expect(pc().signalingState).toBe('have-local-offer');
    await session.handleSignal('restart', { type: 'offer', sdp: 'their-restart' });
    await settle();
    expect(pc().calls).toContain('rollback');
    expect(sent.at(-1)?.kind).toBe('answer');
  });

  it('an ICE restart fetches fresh ICE servers first and is sent as "restart"', async () => {
    const order: string[] = [];
    const { session, sent, pc } = make({
      polite: false,
      initiator: true,
      fetchIceServers: () => {
        order.push('fetch');
        return Promise.resolve([{ urls: ['turn:fresh'], username: 'u', credential: 'c' }]);
      },
    });
    session.start();
    await settle();
    await session.handleSignal('answer', { type: 'answer', sdp: 'a' });
    await session.restartIce('ice failed');
    await settle();
    expect(order).toEqual(['fetch']);
    const calls = pc().calls;
    expect(calls.indexOf('setConfiguration')).toBeLessThan(calls.indexOf('restartIce'));
    expect(pc().config.iceServers).toEqual([
      { urls: ['turn:fresh'], username: 'u', credential: 'c' },
    ]);
    expect(sent.at(-1)?.kind).toBe('restart');
    expect((sent.at(-1)?.data as RTCSessionDescriptionInit).sdp).toMatch(/restart/);
  });

  it('still restarts with the old servers when fetching fresh ones fails', async () => {
    const { session, sent } = make({
      polite: false,
      initiator: true,
      fetchIceServers: () => Promise.reject(new Error('offline')),
    });
    session.start();
    await settle();
    await session.handleSignal('answer', { type: 'answer', sdp: 'a' });
    await session.restartIce('network change');
    await settle();
    expect(sent.at(-1)?.kind).toBe('restart');
  });

  it('offers again with the restart when its last offer was dropped (signaling down)', async () => {
    const { session, sent, pc, signaling } = make({ polite: false, initiator: true });
    session.start();
    await settle();
    await session.handleSignal('answer', { type: 'answer', sdp: 'a' });
    signaling.up = false;
    await session.restartIce('disconnected too long');
    await settle();
    // That restart offer was dropped: no answer comes, still have-local-offer.
    expect(pc().signalingState).toBe('have-local-offer');
    signaling.up = true;
    await session.restartIce('network change');
    await settle();
    expect(sent.map((s) => s.kind)).toEqual(['offer', 'restart', 'restart']);
    expect(sent.map((s) => s.delivered)).toEqual([true, false, true]);
  });

  it('does not offer twice when its restart offer went out and awaits the answer', async () => {
    const { session, sent } = make({ polite: false, initiator: true });
    session.start();
    await settle();
    await session.handleSignal('answer', { type: 'answer', sdp: 'a' });
    await session.restartIce('disconnected too long');
    await settle();
    await session.restartIce('network change');
    await settle();
    // A second offer would make the answer to the first one fail to apply.
    expect(sent.map((s) => s.kind)).toEqual(['offer', 'restart']);
  });

  it('reports a remote description that cannot apply as broken', async () => {
    const { session, pc } = make({ polite: true, initiator: false });
    const broken = vi.fn();
    session.on('broken', broken);
    pc().failNextRemote = true;
    await session.handleSignal('offer', { type: 'offer', sdp: 'from-a-rebuilt-peer' });
    expect(broken).toHaveBeenCalledWith('offer', { type: 'offer', sdp: 'from-a-rebuilt-peer' });
  });

  describe('with fake timers', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('restarts after 1.5 s of "disconnected" and gives up 20 s after trouble began', async () => {
      const { session, pc } = make({ polite: false, initiator: true });
      const failed = vi.fn();
      session.on('failed', failed);
      pc().setConnection('connected');
      pc().setConnection('disconnected');
      await vi.advanceTimersByTimeAsync(1400);
      expect(pc().calls).not.toContain('restartIce');
      await vi.advanceTimersByTimeAsync(200);
      expect(pc().calls).toContain('restartIce');
      await vi.advanceTimersByTimeAsync(18_300);
      expect(failed).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(200);
      expect(failed).toHaveBeenCalledWith('ice_failed');
    });

    it('restarts after 1 s with the servers it has when fresh ones hang, and applies them later', async () => {
      let arrive: (servers: RTCIceServer[]) => void = () => undefined;
      const { session, sent, pc } = make({
        polite: false,
        initiator: true,
        fetchIceServers: () => new Promise((resolve) => (arrive = resolve)),
      });
      session.start();
      await vi.advanceTimersByTimeAsync(0);
      await session.handleSignal('answer', { type: 'answer', sdp: 'a' });
      void session.restartIce('network change');
      await vi.advanceTimersByTimeAsync(900);
      expect(pc().calls).not.toContain('restartIce');
      await vi.advanceTimersByTimeAsync(200);
      expect(sent.at(-1)?.kind).toBe('restart');
      expect(pc().config.iceServers).toEqual([{ urls: ['stun:old'] }]);
      arrive([{ urls: ['turn:late'] }]);
      await vi.advanceTimersByTimeAsync(0);
      expect(pc().config.iceServers).toEqual([{ urls: ['turn:late'] }]);
    });

    it('a restart asked for while one still fetches its servers adds no second restart', async () => {
      const { session, sent } = make({
        polite: false,
        initiator: true,
        fetchIceServers: () => new Promise(() => undefined),
      });
      session.start();
      await vi.advanceTimersByTimeAsync(0);
      await session.handleSignal('answer', { type: 'answer', sdp: 'a' });
      void session.restartIce('disconnected too long');
      await vi.advanceTimersByTimeAsync(500);
      void session.restartIce('network change'); // Signaling came back meanwhile.
      await vi.advanceTimersByTimeAsync(5000);
      expect(sent.map((s) => s.kind)).toEqual(['offer', 'restart']);
    });

    it('gives up 12 s after start when it never connected, restarts included', async () => {
      const { session, pc } = make({ polite: false, initiator: true });
      const failed = vi.fn();
      session.on('failed', failed);
      session.start();
      await vi.advanceTimersByTimeAsync(5000);
      pc().setConnection('failed');
      await vi.advanceTimersByTimeAsync(6900);
      expect(pc().calls).toContain('restartIce');
      expect(failed).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(200);
      expect(failed).toHaveBeenCalledWith('ice_failed');
    });

    it('does not give up once it connected in time', async () => {
      const { session, pc } = make({ polite: false, initiator: true });
      const failed = vi.fn();
      session.on('failed', failed);
      session.start();
      await vi.advanceTimersByTimeAsync(3000);
      pc().setConnection('connected');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(failed).not.toHaveBeenCalled();
    });

    it('does not give up when media comes back', async () => {
      const { session, pc } = make({ polite: false, initiator: true });
      const failed = vi.fn();
      session.on('failed', failed);
      pc().setConnection('connected');
      pc().setConnection('failed');
      await vi.advanceTimersByTimeAsync(5000);
      pc().setConnection('connected');
      await vi.advanceTimersByTimeAsync(30_000);
      expect(failed).not.toHaveBeenCalled();
    });
  });
});
