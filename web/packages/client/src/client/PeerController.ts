/**
 * The current call's peer connection: building it with ICE servers and the signals that came
 * early, rebuilding it when the other side rebuilt theirs (a reload) with the signals replayed,
 * the stats sampler that posts quality samples, and `POST /connected` once media flows.
 */
import type { CallStore, LocalQuality, Role } from '../call/CallStore';
import { isTerminal } from '../call/callFsm';
import { PhaseEvent, CallPhase } from '../call/phases';
import type { RestClient } from '../rest/RestClient';
import type { SignalingClient } from '../signaling/SignalingClient';
import { StatsSampler } from '../stats/StatsSampler';
import { CANDIDATE_WAIT_MS, waitForCandidateType } from '../stats/selectedCandidate';
import type { Call, SignalData, SignalKind } from '../types';
import { getLogger } from '../util/logger';
import { PeerSession } from '../webrtc/PeerSession';
import type { MediaController } from './MediaController';
import { serverAction } from './serverAction';
import { SignalLog } from './SignalLog';

const log = getLogger('peer');

/** A reload comes back in about a second; a closed tab does not. */
const LEFT_GRACE_MS = 5000;

export interface PeerControllerOptions {
  role: Role;
  store: CallStore;
  rest: RestClient;
  signaling: SignalingClient;
  media: MediaController;
  /** Media could not be (re)established: the call is to be ended or failed. */
  onFailed: (reason: string) => void;
  /** The other side's page went away and did not come back in time: the call is to be ended. */
  onOtherLeft: (reason: string) => void;
  /** How long the other side may take to come back (a reload) before the call is ended. */
  leftGraceMs?: number;
  iceTransportPolicy?: RTCIceTransportPolicy;
  statsIntervalMs?: number;
  candidateWaitMs?: number;
  createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
}

export class PeerController {
  private peer: PeerSession | null = null;
  private sampler: StatsSampler | null = null;
  private iceServers: RTCIceServer[] | null = null;
  private readonly signals = new SignalLog();
  private readonly connectedReported = new Set<string>();
  /** A call rejoined after a reload: our fresh connection must offer, whatever our role. */
  private resumedCallId: string | null = null;
  /** Set while the other side is gone: ends the call unless they come back (a reload) first. */
  private leftTimer: ReturnType<typeof setTimeout> | null = null;
  /**
   * Restart ICE once signaling is open again: `always` after a network change, `ifLost` after
   * media was lost (only if it has not come back by then).
   */
  private restartWhenSignaling: 'always' | 'ifLost' | null = null;
  /** What followNetwork was told to do on a network change (reconnect signaling). */
  private onNetworkChange: () => void = () => undefined;

  constructor(private readonly opts: PeerControllerOptions) {}

  get current(): PeerSession | null {
    return this.peer;
  }

  /** After a reload the other side still holds the old connection: we offer on `callId`. */
  markResumed(callId: string): void {
    this.resumedCallId = callId;
  }

  /** A `signal` from the other side: to the live connection, or held until it is built. */
  handleSignal(callId: string, kind: SignalKind, data: SignalData): void {
    if (this.peer?.callId === callId) this.otherCameBack();
    if (this.peer && this.peer.callId === callId) {
      this.signals.record({ kind, data });
      void this.peer.handleSignal(kind, data);
    } else this.signals.hold(callId, { kind, data });
  }

  /** Fresh servers pushed by the server (TURN credentials renewed). */
  setIceServers(servers: RTCIceServer[]): void {
    this.iceServers = servers;
    this.peer?.updateIceServers(servers);
  }

  /**
   * Follows network changes (online again, another interface) until the returned function is
   * called: `onChange` runs at once (the owner reconnects signaling, whose socket may sit on an
   * address that is gone), and ICE restarts at the next `signalingReady()`, so the fresh ICE
   * servers can be fetched and the restart offer reaches the other side.
   */
  followNetwork(onChange: () => void = () => undefined): () => void {
    this.onNetworkChange = onChange;
    if (typeof window === 'undefined') return () => undefined;
    const changed = (): void => this.networkChanged();
    window.addEventListener('online', changed);
    // Kept: the listener must be removed from the very object it was added to.
    const info = (navigator as Navigator & { connection?: EventTarget }).connection ?? null;
    info?.addEventListener?.('change', changed);
    return () => {
      window.removeEventListener('online', changed);
      info?.removeEventListener?.('change', changed);
    };
  }

  /**
   * Says `bye` on the control channel when the page goes away, so the other side learns at once,
   * until the returned function is called. A reload says it too; the other side waits a little
   * for the page to come back before ending the call.
   */
  followPageExit(): () => void {
    if (typeof window === 'undefined') return () => undefined;
    const onExit = (): void => this.peer?.sayGoodbye();
    window.addEventListener('pagehide', onExit);
    return () => window.removeEventListener('pagehide', onExit);
  }

  /** Signaling is (again) open: the ICE restart a network change asked for happens now. */
  signalingReady(): void {
    const when = this.restartWhenSignaling;
    this.restartWhenSignaling = null;
    const peer = this.peer;
    if (!peer || !when) return;
    // A restart offer sent while the old socket was dead was lost: restart again on the new one.
    if (when === 'always' || peer.pc.connectionState !== 'connected') {
      void peer.restartIce('network change');
      return;
    }
    // Media came back meanwhile, maybe on the old ICE servers (their fetch failed mid-change):
    // fresh ones now, for the next allocation or restart.
    void this.opts.rest.iceServers(peer.callId).then(
      (r) => this.setIceServers(r.ice_servers),
      () => undefined,
    );
  }

  /**
   * The network changed (`always`), or may have (`ifLost`: media was lost, or an ICE restart
   * could not even fetch ICE servers). Firefox tells pages of no network change at all: a lost
   * connection is how its side notices one.
   */
  private networkChanged(when: 'always' | 'ifLost' = 'always'): void {
    if (this.peer && this.restartWhenSignaling !== 'always') this.restartWhenSignaling = when;
    this.onNetworkChange();
  }

  /** Builds the connection for the store's current call, once local media is there. */
  async start(): Promise<void> {
    const call = this.opts.store.getSnapshot().current;
    if (!call || this.peer?.callId === call.id) return;
    if (!this.opts.media.snapshot.local) {
      log.warn(`call ${call.id}: no local media; cannot connect`);
      return;
    }
    let servers = this.iceServers;
    if (!servers) {
      try {
        servers = (await this.opts.rest.iceServers(call.id)).ice_servers;
      } catch (e) {
        log.warn('could not fetch ICE servers; trying without', { error: String(e) });
        servers = [];
      }
    }
    const current = this.opts.store.getSnapshot().current;
    if (!current || current.id !== call.id || isTerminal(current.state) || this.peer) return;
    this.build(call.id, servers);
  }

  /** The averages of this call's samples (the summary's fallback), or null without samples. */
  localQuality(): LocalQuality | null {
    return this.sampler?.summary() ?? null;
  }

  close(): void {
    this.otherCameBack();
    this.sampler?.stop();
    this.sampler = null;
    this.peer?.close();
    this.peer = null;
  }

  private build(callId: string, servers: RTCIceServer[], rebuilt = false): PeerSession {
    // After a reload the other side still holds the old connection: whoever comes back offers,
    // and the other side rebuilds when that offer cannot apply to its old connection ("broken").
    const resumed = this.resumedCallId === callId;
    this.resumedCallId = null;
    const { role, rest, signaling, media } = this.opts;
    const peer = new PeerSession({
      callId,
      polite: role === 'client',
      initiator: !rebuilt && (role === 'staff' || resumed),
      iceServers: servers,
      iceTransportPolicy: this.opts.iceTransportPolicy,
      createPeerConnection: this.opts.createPeerConnection,
      localStream: media.snapshot.local as MediaStream,
      sendSignal: (kind, data) => signaling.sendSignal(callId, kind, data),
      fetchIceServers: async () => {
        let fresh: RTCIceServer[];
        try {
          fresh = (await rest.iceServers(callId)).ice_servers;
        } catch (e) {
          if (this.peer === peer) this.networkChanged('ifLost');
          throw e;
        }
        this.iceServers = fresh;
        return fresh;
      },
    });
    this.peer = peer;
    peer.on('remoteStream', (s) => media.update({ remote: s }));
    peer.on('remoteMedia', (m) => media.update({ remoteMedia: m }));
    peer.on('connectionState', (s) => this.onPeerState(callId, peer, s));
    peer.on('failed', (reason) => this.opts.onFailed(reason));
    peer.on('remoteLeft', () => {
      if (this.peer === peer) this.otherLeft(callId);
    });
    peer.on('lost', () => {
      if (this.peer === peer) this.networkChanged('ifLost');
    });
    peer.on('broken', (kind, data) => {
      if (this.peer === peer) this.rebuild(callId, servers, kind, data);
    });
    peer.setLocalMedia(media.sending);
    peer.start();
    for (const s of this.signals.takeHeld(callId)) void peer.handleSignal(s.kind, s.data);
    this.sampler = new StatsSampler(
      peer.pc,
      (sample) => void rest.quality(callId, sample).catch(() => undefined),
      this.opts.statsIntervalMs ?? 2000,
    );
    this.sampler.on('sample', (_s, snap) => media.update({ stats: snap }));
    this.sampler.start();
    return peer;
  }

  /** The other side rebuilt its connection (a reload): rebuild ours and take its offer. */
  private rebuild(callId: string, servers: RTCIceServer[], kind: SignalKind, data: SignalData) {
    if (kind === 'answer') {
      // Our offer met a connection that is not the one we negotiated with: start afresh.
      log.info(`call ${callId}: answer did not apply; rebuilding and offering again`);
      this.close();
      this.resumedCallId = callId;
      this.build(callId, this.iceServers ?? servers);
      return;
    }
    log.info(`call ${callId}: rebuilding the peer connection for a fresh offer`);
    // The offer with the candidates that came after it.
    const replay = this.signals.replay({ kind, data });
    this.close();
    const again = this.build(callId, this.iceServers ?? servers, true);
    this.signals.restart(replay);
    for (const s of replay) void again.handleSignal(s.kind, s.data);
  }

  private otherLeft(callId: string): void {
    if (this.leftTimer !== null) return;
    log.info(`call ${callId}: the other side left; ending the call unless they come back`);
    this.opts.media.update({ remoteLeft: true });
    const reason = this.opts.role === 'staff' ? 'caller_left' : 'staff_left';
    this.leftTimer = setTimeout(() => {
      this.leftTimer = null;
      if (this.peer?.callId === callId) this.opts.onOtherLeft(reason);
    }, this.opts.leftGraceMs ?? LEFT_GRACE_MS);
  }

  /** The other side is back (a signal from them, media connected again), or the call is over. */
  private otherCameBack(): void {
    if (this.leftTimer === null) return;
    clearTimeout(this.leftTimer);
    this.leftTimer = null;
    this.opts.media.update({ remoteLeft: false });
  }

  private onPeerState(callId: string, peer: PeerSession, state: RTCPeerConnectionState): void {
    const { store } = this.opts;
    if (state === 'connected') {
      store.dispatch(PhaseEvent.IceConnected);
      if (!this.connectedReported.has(callId)) {
        this.connectedReported.add(callId);
        void this.reportConnected(callId, peer);
      }
    } else if (state === 'disconnected' || state === 'failed') {
      if (store.phase === CallPhase.Connected) store.dispatch(PhaseEvent.IceDisconnected);
    }
  }

  /**
   * `POST /connected` with the selected pair's candidate type (the server's ICE metrics). The type
   * is read from getStats() first; when the browser does not know it yet we wait a little
   * (bounded), and report without it rather than late.
   */
  private async reportConnected(callId: string, peer: PeerSession): Promise<void> {
    const { store, rest } = this.opts;
    const candidateType = await waitForCandidateType(peer.pc, {
      timeoutMs: this.opts.candidateWaitMs ?? CANDIDATE_WAIT_MS,
    });
    if (!candidateType) log.info(`call ${callId}: route not known yet; reporting without it`);
    const report = (): Promise<Call> => rest.connected(callId, candidateType);
    if (store.record(callId)?.view.state === 'accepted')
      await serverAction(store, rest, callId, 'connected', report);
    else
      await report().then(
        (c) => store.applyServerCall(c),
        () => undefined,
      );
  }
}
