/**
 * One RTCPeerConnection for one call, with the W3C "perfect negotiation" pattern.
 * The staff member who accepted makes the first offer (initiator, impolite); the caller answers
 * and is the polite peer that yields on glare. Either side may later restart ICE (signal kind
 * `restart`), after fetching fresh ICE servers since TURN credentials expire.
 * A negotiated data channel (id 0) carries small control messages: who muted, camera off, screen,
 * and `bye` when the page is closed (the other side learns at once that nobody is there any more).
 */
import type { SignalData, SignalKind } from '../types';
import { TypedEmitter } from '../util/emitter';
import { getLogger } from '../util/logger';
import { realClock, type Clock } from '../util/time';

const log = getLogger('webrtc');

/**
 * How long an ICE restart waits for fresh ICE servers before it restarts with the ones it has
 * (still valid: pushed every half TURN lifetime). After a network switch Firefox may send the
 * request down a pooled connection from the vanished address, where it hangs: the network lab's
 * `ffswitch` row spent 3 s of its 6.5 to 12.5 s here. Servers that come later are still applied.
 */
const ICE_SERVERS_WAIT_MS = 1000;

/**
 * How long `disconnected` may last before ICE restarts. Browsers report it only after some
 * silence already (Chromium about 2.5 s without a packet); 3 s more made media come back 5 s or
 * later after a network switch. A restart on a mere blip costs one renegotiation, no media.
 */
const DISCONNECTED_GRACE_MS = 1500;

/**
 * The end of our candidates, as the W3C writes it: an RTCIceCandidateInit whose `candidate` is
 * empty (the receiver hands it to addIceCandidate as is). Never `null`: a signal's `data` is an
 * object (docs/asyncapi.yaml `SignalData`) and the server refuses anything else.
 */
export const END_OF_CANDIDATES: RTCIceCandidateInit = Object.freeze({ candidate: '' });

export interface RemoteMediaState {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

export interface PeerSessionOptions {
  callId: string;
  /** The caller: yields on glare. */
  polite: boolean;
  /** The staff member: makes the first offer. */
  initiator: boolean;
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  localStream: MediaStream;
  sendSignal: (kind: SignalKind, data: SignalData) => boolean;
  fetchIceServers: () => Promise<RTCIceServer[]>;
  createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
  clock?: Clock;
  /** How long `disconnected` may last before we restart ICE. */
  disconnectedGraceMs?: number;
  /** How long after trouble starts we keep trying before giving up. */
  giveUpAfterMs?: number;
  /**
   * How long after start() a connection that never connected keeps trying (no route at all,
   * e.g. symmetric NATs without TURN): both sides then see ice_failed well before the server's
   * connect timeout. Chromium itself reports `failed` only about 15 s into such a call.
   */
  giveUpBeforeConnectedMs?: number;
}

type PeerEvents = {
  remoteStream: (s: MediaStream) => void;
  connectionState: (s: RTCPeerConnectionState) => void;
  remoteMedia: (m: RemoteMediaState) => void;
  /** Restarts did not bring media back in time. */
  failed: (reason: string) => void;
  /**
   * The other side's page went away: it said `bye`, or its end of the control channel closed
   * (its connection was torn down with the page). It may be a reload that comes back.
   */
  remoteLeft: () => void;
  /**
   * A remote description could not be applied at all (e.g. the other side rebuilt its
   * connection after a reload): the owner replaces this connection.
   */
  broken: (kind: SignalKind, data: SignalData) => void;
  /**
   * Media that was connected is lost and ICE restarts: the network under us may have changed,
   * and with it the signaling socket may be dead (the owner reconnects it).
   */
  lost: () => void;
};

export class PeerSession extends TypedEmitter<PeerEvents> {
  readonly callId: string;
  readonly pc: RTCPeerConnection;
  private readonly opts: PeerSessionOptions;
  private readonly clock: Clock;
  private makingOffer = false;
  private ignoreOffer = false;
  private isSettingRemoteAnswerPending = false;
  private negotiatedOnce = false;
  private restartRequested = false;
  private restarting: Promise<void> | null = null;
  private restartAgain: string | null = null;
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly control: RTCDataChannel;
  private localMedia: RemoteMediaState = { audio: true, video: true, screen: false };
  private remoteStreamValue: MediaStream | null = null;
  private disconnectedTimer: unknown = null;
  private troubleSince: number | null = null;
  private giveUpTimer: unknown = null;
  private closed = false;
  private everConnected = false;
  /** A restart is fetching ICE servers: it has not offered yet. */
  private restartFetching = false;
  /** Asked to restart while one was fetching: fetch fresh servers after if that fetch fails. */
  private refreshServersAfter = false;
  /** Our last offer never left (signaling was down): a restart must offer again itself. */
  private offerDropped = false;

  constructor(opts: PeerSessionOptions) {
    super();
    this.opts = opts;
    this.callId = opts.callId;
    this.clock = opts.clock ?? realClock;
    const config: RTCConfiguration = {
      iceServers: opts.iceServers,
      iceTransportPolicy: opts.iceTransportPolicy ?? 'all',
      bundlePolicy: 'max-bundle',
    };
    this.pc = opts.createPeerConnection
      ? opts.createPeerConnection(config)
      : new RTCPeerConnection(config);
    this.control = this.pc.createDataChannel('control', { negotiated: true, id: 0 });
    this.control.onopen = () => this.sendControl();
    this.control.onmessage = (ev: MessageEvent) => this.onControl(ev.data);
    // Closed while the transport is fine: the other side tore its connection down on purpose
    // (network trouble shows as `disconnected` first, and keeps the reconnect grace).
    this.control.onclose = () => {
      if (!this.closed && this.pc.connectionState === 'connected') this.emit('remoteLeft');
    };
    this.pc.onnegotiationneeded = () => void this.negotiate();
    // The end of gathering goes as `{candidate: ""}` (the W3C end-of-candidates form, which
    // addIceCandidate takes as such): a signal's data must be an object (docs/asyncapi.yaml), and the
    // server refuses null with invalid_request.
    this.pc.onicecandidate = ({ candidate }) => {
      this.opts.sendSignal('candidate', candidate ? candidate.toJSON() : END_OF_CANDIDATES);
    };
    this.pc.ontrack = (ev) => {
      const stream = ev.streams[0] ?? this.remoteStreamValue ?? new MediaStream();
      if (!ev.streams[0]) stream.addTrack(ev.track);
      this.remoteStreamValue = stream;
      this.emit('remoteStream', stream);
    };
    this.pc.onconnectionstatechange = () => this.onConnectionState();
    this.pc.oniceconnectionstatechange = () => {
      log.debug(`call ${this.callId}: ice ${this.pc.iceConnectionState}`);
      if (this.pc.iceConnectionState === 'failed') this.restartAfterLoss('ice failed');
    };
  }

  get remoteStream(): MediaStream | null {
    return this.remoteStreamValue;
  }

  /** The initiator adds its tracks now (which makes the first offer); the caller waits for it. */
  start(): void {
    // Until the first connection, "trouble" runs from the start: the give-up clock is on.
    if (!this.everConnected) this.noteTrouble();
    if (this.opts.initiator) this.addLocalTracks();
  }

  private addLocalTracks(): void {
    const have = new Set(this.pc.getSenders().map((s) => s.track?.id));
    for (const track of this.opts.localStream.getTracks()) {
      if (!have.has(track.id)) this.pc.addTrack(track, this.opts.localStream);
    }
  }

  private async negotiate(): Promise<void> {
    if (this.closed) return;
    // Before the first offer arrives the caller stays quiet: the staff member offers first.
    if (!this.opts.initiator && !this.negotiatedOnce) return;
    try {
      this.makingOffer = true;
      const restart = this.restartRequested;
      await this.pc.setLocalDescription();
      const desc = this.pc.localDescription;
      if (!desc || desc.type !== 'offer') return;
      this.restartRequested = false;
      log.info(`call ${this.callId}: sending ${restart ? 'restart' : 'offer'}`);
      const sent = this.opts.sendSignal(restart ? 'restart' : 'offer', {
        type: desc.type,
        sdp: desc.sdp,
      });
      this.offerDropped = !sent;
    } catch (e) {
      log.warn(`call ${this.callId}: making an offer failed`, { error: String(e) });
    } finally {
      this.makingOffer = false;
    }
  }

  /** Feeds a relayed signal in; signals are handled one at a time, in order. */
  handleSignal(kind: SignalKind, data: SignalData): Promise<void> {
    this.queue = this.queue
      .then(() => this.handleOne(kind, data))
      .catch((e: unknown) => {
        log.warn(`call ${this.callId}: signal ${kind} failed`, { error: String(e) });
      });
    return this.queue;
  }

  private async handleOne(kind: SignalKind, data: SignalData): Promise<void> {
    if (this.closed) return;
    if (kind === 'candidate') {
      const cand = data as RTCIceCandidateInit;
      if (!this.pc.remoteDescription) {
        this.pendingCandidates.push(cand);
        return;
      }
      try {
        await this.pc.addIceCandidate(cand);
      } catch (e) {
        if (!this.ignoreOffer)
          log.debug(`call ${this.callId}: candidate refused`, { error: String(e) });
      }
      return;
    }
    const description = data as RTCSessionDescriptionInit | null;
    if (!description?.type) {
      log.warn(`call ${this.callId}: ${kind} without a description ignored`);
      return;
    }
    // Perfect negotiation (W3C webrtc-pc, "Perfect negotiation example").
    const readyForOffer =
      !this.makingOffer &&
      (this.pc.signalingState === 'stable' || this.isSettingRemoteAnswerPending);
    const offerCollision = description.type === 'offer' && !readyForOffer;
    this.ignoreOffer = !this.opts.polite && offerCollision;
    if (this.ignoreOffer) {
      log.info(`call ${this.callId}: glare, ignoring their offer (we are impolite)`);
      return;
    }
    this.isSettingRemoteAnswerPending = description.type === 'answer';
    try {
      await this.pc.setRemoteDescription(description);
    } catch (e) {
      this.isSettingRemoteAnswerPending = false;
      log.warn(`call ${this.callId}: remote ${description.type} could not be applied`, {
        error: String(e),
      });
      this.emit('broken', kind, data);
      return;
    }
    this.isSettingRemoteAnswerPending = false;
    for (const c of this.pendingCandidates.splice(0)) {
      await this.pc.addIceCandidate(c).catch(() => undefined);
    }
    if (description.type === 'offer') {
      // The caller's tracks join the transceivers the offer created (addTrack reuses them).
      this.addLocalTracks();
      await this.pc.setLocalDescription();
      const answer = this.pc.localDescription;
      if (answer) this.opts.sendSignal('answer', { type: answer.type, sdp: answer.sdp });
    }
    this.negotiatedOnce = true;
  }

  /** Fresh ICE servers, then an ICE restart offer (`kind: "restart"`). */
  restartIce(reason: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.restarting) {
      // Asked again meanwhile (e.g. signaling came back after a network change): once more
      // after, unless this one has not offered yet. Its offer then goes out on the signaling
      // that is up now, and a second restart would only start the checks over (a second or
      // more in the lab's ffswitch row); if its fetch fails, fresh servers are fetched after.
      if (!this.restartFetching) this.restartAgain = reason;
      else this.refreshServersAfter = true;
      return this.restarting;
    }
    this.noteTrouble();
    let fetched = false;
    this.restarting = (async () => {
      log.info(`call ${this.callId}: ICE restart (${reason})`);
      this.restartFetching = true;
      try {
        const servers = await this.fetchIceServersInTime();
        this.updateIceServers(servers);
        fetched = true;
      } catch (e) {
        log.warn(
          `call ${this.callId}: could not refresh ICE servers, restarting with the old ones`,
          {
            error: String(e),
          },
        );
      }
      this.restartFetching = false;
      if (this.closed) return;
      this.restartRequested = true;
      this.pc.restartIce();
      // Our last offer was dropped (signaling was reconnecting): no negotiationneeded comes
      // until `stable`, which that offer never reaches, and the other side, polite or not,
      // waits for it. Offer again, now with the restart.
      if (this.offerDropped && this.pc.signalingState === 'have-local-offer') void this.negotiate();
    })().finally(() => {
      this.restarting = null;
      const again = this.restartAgain;
      const refresh = this.refreshServersAfter && !fetched;
      this.restartAgain = null;
      this.refreshServersAfter = false;
      if (again) void this.restartIce(again);
      else if (refresh)
        this.fetchIceServersInTime().then(
          (servers) => this.updateIceServers(servers),
          () => undefined,
        );
    });
    return this.restarting;
  }

  /**
   * Fresh ICE servers, or an error after ICE_SERVERS_WAIT_MS (a request from a vanished address
   * may hang); servers that arrive after that are applied when they come.
   */
  private fetchIceServersInTime(): Promise<RTCIceServer[]> {
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = this.clock.setTimeout(() => {
        late = true;
        reject(new Error(`no ICE servers within ${ICE_SERVERS_WAIT_MS} ms`));
      }, ICE_SERVERS_WAIT_MS);
      this.opts.fetchIceServers().then(
        (servers) => {
          this.clock.clearTimeout(timer);
          if (late) this.updateIceServers(servers);
          resolve(servers);
        },
        (e: unknown) => {
          this.clock.clearTimeout(timer);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  updateIceServers(servers: RTCIceServer[]): void {
    if (this.closed) return;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers: servers });
    } catch (e) {
      log.warn(`call ${this.callId}: setConfiguration failed`, { error: String(e) });
    }
  }

  /** Swaps the track that goes out for `kind` (device change, screen share). */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    const transceiver = this.pc
      .getTransceivers()
      .find(
        (t) =>
          (t.sender.track?.kind ?? t.receiver.track.kind) === kind &&
          t.currentDirection !== 'stopped',
      );
    if (!transceiver) {
      log.warn(`call ${this.callId}: no ${kind} sender to replace`);
      return;
    }
    await transceiver.sender.replaceTrack(track);
  }

  setLocalMedia(state: RemoteMediaState): void {
    this.localMedia = state;
    this.sendControl();
  }

  /** The page is going away: tells the other side now rather than after ICE times out. */
  sayGoodbye(): void {
    if (this.closed || this.control.readyState !== 'open') return;
    try {
      this.control.send(JSON.stringify({ type: 'bye' }));
    } catch (e) {
      log.debug(`call ${this.callId}: bye not sent`, { error: String(e) });
    }
  }

  private sendControl(): void {
    if (this.control.readyState !== 'open') return;
    this.control.send(JSON.stringify({ type: 'media', ...this.localMedia }));
  }

  private onControl(raw: unknown): void {
    if (typeof raw !== 'string') return;
    try {
      const msg = JSON.parse(raw) as { type?: string } & Partial<RemoteMediaState>;
      if (msg.type === 'media') {
        this.emit('remoteMedia', {
          audio: msg.audio !== false,
          video: msg.video !== false,
          screen: msg.screen === true,
        });
      } else if (msg.type === 'bye') this.emit('remoteLeft');
    } catch {
      log.debug('bad control message ignored');
    }
  }

  private onConnectionState(): void {
    const state = this.pc.connectionState;
    log.info(`call ${this.callId}: connection ${state}`);
    this.emit('connectionState', state);
    this.clock.clearTimeout(this.disconnectedTimer);
    if (state === 'connected') {
      this.everConnected = true;
      this.troubleSince = null;
      this.clock.clearTimeout(this.giveUpTimer);
      this.giveUpTimer = null;
    } else if (state === 'disconnected') {
      this.noteTrouble();
      this.disconnectedTimer = this.clock.setTimeout(() => {
        if (this.pc.connectionState === 'disconnected')
          this.restartAfterLoss('disconnected too long');
      }, this.opts.disconnectedGraceMs ?? DISCONNECTED_GRACE_MS);
    } else if (state === 'failed') {
      this.restartAfterLoss('connection failed');
    }
  }

  private restartAfterLoss(reason: string): void {
    if (this.everConnected && !this.restarting) this.emit('lost');
    void this.restartIce(reason);
  }

  get wasEverConnected(): boolean {
    return this.everConnected;
  }

  private giveUpMs(): number {
    return this.everConnected
      ? (this.opts.giveUpAfterMs ?? 20_000)
      : (this.opts.giveUpBeforeConnectedMs ?? 12_000);
  }

  private noteTrouble(): void {
    if (this.troubleSince !== null) return;
    this.troubleSince = this.clock.now();
    this.giveUpTimer = this.clock.setTimeout(() => {
      if (this.pc.connectionState !== 'connected' && !this.closed) {
        log.error(`call ${this.callId}: media did not come back; giving up`);
        this.emit('failed', 'ice_failed');
      }
    }, this.giveUpMs());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimeout(this.disconnectedTimer);
    this.clock.clearTimeout(this.giveUpTimer);
    try {
      this.control.close();
    } catch {
      /* already closed */
    }
    this.pc.close();
    this.removeAllListeners();
  }
}
