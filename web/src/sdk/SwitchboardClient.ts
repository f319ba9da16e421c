/**
 * The object an integrator (or our own pages) holds: it wires the REST client, the signaling
 * client, the call store, devices, the peer connection and the stats sampler together, and
 * exposes plain actions (placeCall, accept, hangUp, toggleMute...). No React in here.
 *
 * Side effects follow the store's phase changes: entering `connecting` builds the peer
 * connection, entering `ended` tears everything down and fetches the server's summary.
 */
import { ErrorCode, SwitchboardError } from './errors';
import { RestClient } from './rest/RestClient';
import {
  SignalingClient,
  SignalingState,
  type WebSocketFactory,
} from './signaling/SignalingClient';
import type { ReconnectPolicy } from './signaling/ReconnectPolicy';
import { BoardSubscription } from './board/BoardSubscription';
import { CallStore, type CallSummary, type Role as StoreRole } from './call/CallStore';
import { CallPhase, PhaseEvent } from './call/phases';
import { isTerminal } from './call/callFsm';
import { partyName } from './call/describe';
import {
  DeviceManager,
  stopStream,
  type PermissionStatus,
  type ScreenShareSupport,
} from './devices/DeviceManager';
import { PeerSession, type RemoteMediaState } from './webrtc/PeerSession';
import { StatsSampler, type StatsSnapshot } from './stats/StatsSampler';
import { CANDIDATE_WAIT_MS, waitForCandidateType } from './stats/selectedCandidate';
import type {
  Call,
  Feedback,
  ServerMessage,
  SignalData,
  SignalKind,
  StaffEntry,
  StaffStatus,
  User,
} from './types';
import { TypedEmitter } from './util/emitter';
import { getLogger } from './util/logger';

const log = getLogger('client');

export interface SwitchboardClientOptions {
  role: StoreRole;
  getToken: () => string | null;
  baseUrl?: string;
  wsUrl?: string;
  /** 'relay' forces TURN (tests, or networks that must not expose addresses). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  media?: { audio: boolean; video: boolean };
  metadata?: Record<string, string>;
  reconnectPolicy?: ReconnectPolicy;
  createSocket?: WebSocketFactory;
  rest?: RestClient;
  devices?: DeviceManager;
  statsIntervalMs?: number;
  /** How long `connected` may wait for getStats() to name the selected route (default 1.5 s). */
  candidateWaitMs?: number;
  /** Seam for tests: builds the RTCPeerConnection. */
  createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
}

export interface MediaSnapshot {
  local: MediaStream | null;
  remote: MediaStream | null;
  micOn: boolean;
  cameraOn: boolean;
  screenSharing: boolean;
  remoteMedia: RemoteMediaState;
  screenShare: ScreenShareSupport;
  stats: StatsSnapshot | null;
  audioDeviceId: string | null;
  videoDeviceId: string | null;
  /** What the browser will do when asked for devices (null until checked). */
  permission: PermissionStatus | null;
  /** getUserMedia is in flight: the browser's own prompt may be showing. */
  acquiring: boolean;
}

type ClientEvents = {
  media: (m: MediaSnapshot) => void;
  signaling: (s: SignalingState) => void;
  user: (u: User) => void;
  /** This staff member's own entry changed (`availability.updated`; the org's is on `board`). */
  availability: (entry: StaffEntry) => void;
  authFailed: () => void;
};

function uuid(): string {
  return (
    globalThis.crypto?.randomUUID?.() ??
    `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  );
}

export class SwitchboardClient extends TypedEmitter<ClientEvents> {
  readonly store: CallStore;
  readonly rest: RestClient;
  readonly signaling: SignalingClient;
  readonly devices: DeviceManager;
  /** The org's staff board (staff and admins; a client is refused). Not followed until subscribed. */
  readonly board: BoardSubscription;
  private readonly opts: SwitchboardClientOptions;
  private user: User | null = null;
  private peer: PeerSession | null = null;
  private sampler: StatsSampler | null = null;
  private iceServers: RTCIceServer[] | null = null;
  private readonly bufferedSignals = new Map<string, { kind: SignalKind; data: SignalData }[]>();
  private readonly connectedReported = new Set<string>();
  /** Signals since the last offer of the current call, replayed if the connection is rebuilt. */
  private sinceOffer: { kind: SignalKind; data: SignalData }[] = [];
  /** A call rejoined after a reload: our fresh connection must offer, whatever our role. */
  private resumedCallId: string | null = null;
  private readonly ringTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private screenStream: MediaStream | null = null;
  private knownInputs: Set<string> | null = null;
  private mediaSnap: MediaSnapshot;
  private stopDeviceWatch: (() => void) | null = null;
  private stopDeviceEvents: (() => void) | null = null;
  /** `navigator.connection` as it was at connect(), where the `change` listener went. */
  private networkInfo: EventTarget | null = null;
  private readonly onNetworkChange = (): void => {
    if (this.peer) void this.peer.restartIce('network change');
  };

  constructor(opts: SwitchboardClientOptions) {
    super();
    this.opts = opts;
    this.store = new CallStore(opts.role);
    this.rest = opts.rest ?? new RestClient({ baseUrl: opts.baseUrl, getToken: opts.getToken });
    this.devices = opts.devices ?? new DeviceManager();
    this.signaling = new SignalingClient({
      url: opts.wsUrl,
      getToken: opts.getToken,
      reconnectPolicy: opts.reconnectPolicy,
      createSocket: opts.createSocket,
    });
    this.board = new BoardSubscription(this.signaling);
    this.mediaSnap = {
      local: null,
      remote: null,
      micOn: true,
      cameraOn: opts.media?.video ?? true,
      screenSharing: false,
      remoteMedia: { audio: true, video: true, screen: false },
      screenShare: DeviceManager.screenShareSupport(),
      stats: null,
      audioDeviceId: null,
      videoDeviceId: null,
      permission: null,
      acquiring: false,
    };
    this.signaling.on('welcome', (w) => void this.onWelcome(w.user, w.calls));
    this.signaling.on('message', (m) => this.onMessage(m));
    this.signaling.on('state', (s) => this.emit('signaling', s));
    this.signaling.on('authFailed', () => this.emit('authFailed'));
    this.store.on('phase', (to, from, event) => this.onPhase(to, from, event));
    this.store.on('change', (s) => this.syncRingTimers(s.incoming));
  }

  get currentUser(): User | null {
    return this.user;
  }

  getMediaSnapshot = (): MediaSnapshot => this.mediaSnap;

  subscribeMedia = (fn: () => void): (() => void) => this.on('media', () => fn());

  connect(): void {
    this.signaling.connect();
    this.stopDeviceWatch = this.devices.watch();
    this.stopDeviceEvents = this.devices.on('devices', () => void this.onDevicesChanged());
    if (typeof window !== 'undefined') {
      window.addEventListener('online', this.onNetworkChange);
      // Kept: dispose() must remove the listener from the very object it was added to.
      this.networkInfo = (navigator as Navigator & { connection?: EventTarget }).connection ?? null;
      this.networkInfo?.addEventListener?.('change', this.onNetworkChange);
    }
  }

  dispose(): void {
    this.teardownMedia();
    this.board.dispose();
    this.signaling.close();
    this.stopDeviceWatch?.();
    this.stopDeviceWatch = null;
    this.stopDeviceEvents?.();
    this.stopDeviceEvents = null;
    for (const t of this.ringTimers.values()) clearTimeout(t);
    this.ringTimers.clear();
    if (typeof window !== 'undefined') window.removeEventListener('online', this.onNetworkChange);
    this.networkInfo?.removeEventListener?.('change', this.onNetworkChange);
    this.networkInfo = null;
    this.store.removeAllListeners();
    this.removeAllListeners();
  }

  // --- Caller actions ------------------------------------------------------------------------

  /** Caller: the Call button. Asks for devices first (explained by the UI when a prompt will show). */
  async placeCall(): Promise<void> {
    if (this.opts.role !== 'client') return;
    this.store.setError(null);
    if (!this.store.can(PhaseEvent.Start)) return;
    // Ask first, so the UI explains only when the browser will actually prompt.
    const permission = await this.devices.permission();
    this.updateMedia({ permission });
    if (!this.store.dispatch(PhaseEvent.Start)) return;
    if (permission === 'granted') await this.allowMedia();
  }

  /** The "Allow camera and microphone" button (or automatic when already granted). */
  async allowMedia(): Promise<void> {
    if (this.store.phase === CallPhase.PermissionDenied) this.store.dispatch(PhaseEvent.Retry);
    if (this.store.phase !== CallPhase.RequestingPermission) return;
    if (!this.mediaSnap.local) {
      this.updateMedia({ acquiring: true });
      try {
        const stream = await this.devices.getUserMedia({
          audio: this.opts.media?.audio ?? true,
          video: this.opts.media?.video ?? true,
          audioDeviceId: this.mediaSnap.audioDeviceId,
          videoDeviceId: this.mediaSnap.videoDeviceId,
        });
        this.updateMedia({ acquiring: false, permission: 'granted' });
        if (this.store.phase !== CallPhase.RequestingPermission) {
          stopStream(stream); // Cancelled meanwhile.
          return;
        }
        this.setLocalStream(stream);
      } catch (e) {
        this.updateMedia({ acquiring: false });
        const err = e instanceof SwitchboardError ? e : SwitchboardError.fromMediaError(e);
        this.store.setError(err);
        this.store.dispatch(PhaseEvent.PermissionDenied);
        if (this.opts.role === 'staff') await this.failCurrentCall('media_failed');
        return;
      }
    }
    this.store.dispatch(PhaseEvent.PermissionGranted);
    if (this.opts.role === 'client') await this.createCall();
  }

  /** Leaves the permission prompt or the summary. */
  dismiss(): void {
    this.store.setError(null);
    if (this.store.dispatch(PhaseEvent.Dismiss) && this.store.phase === CallPhase.Idle)
      this.teardownMedia();
  }

  private async createCall(): Promise<void> {
    const key = uuid();
    const body = {
      media: this.opts.media ?? { audio: true, video: true },
      metadata: this.opts.metadata,
    };
    let call: Call;
    try {
      try {
        call = await this.rest.createCall(body, key);
      } catch (e) {
        // One retry on a lost answer: the same Idempotency-Key returns the same call.
        if (
          e instanceof SwitchboardError &&
          (e.code === ErrorCode.Network || e.code === ErrorCode.Timeout)
        ) {
          call = await this.rest.createCall(body, key);
        } else throw e;
      }
    } catch (e) {
      const err = e instanceof SwitchboardError ? e : SwitchboardError.network(e);
      const inProgress =
        err.code === ErrorCode.CallInProgress
          ? (err.details?.call_id as string | undefined)
          : undefined;
      this.store.dispatch(PhaseEvent.CreateFailed); // Roll back "placing".
      if (inProgress) {
        log.info(`a call is already in progress (${inProgress}); rejoining it`);
        try {
          await this.resumeCall(await this.rest.getCall(inProgress));
          return;
        } catch {
          /* fall through to the error */
        }
      }
      this.teardownMedia();
      this.store.setError(err); // Shown where the Call button is; no toast on top of it.
      return;
    }
    this.store.setCurrent(call);
    this.store.dispatch(PhaseEvent.CreateOk);
    this.store.applyServerCall(call);
    this.store.reevaluateCurrent();
  }

  // --- Staff actions -------------------------------------------------------------------------

  async setAvailability(status: StaffStatus): Promise<StaffEntry> {
    return this.rest.setMyAvailability(status);
  }

  /** Asks for the devices ahead of time (staff "Go available"), so accepting is instant. */
  async checkDevices(): Promise<boolean> {
    try {
      const stream = await this.devices.getUserMedia({ audio: true, video: true });
      stopStream(stream);
      this.store.setError(null);
      return true;
    } catch (e) {
      this.store.setError(e instanceof SwitchboardError ? e : SwitchboardError.fromMediaError(e));
      return false;
    }
  }

  async accept(callId: string): Promise<void> {
    const rec = this.store.record(callId);
    if (!rec) return;
    if (!this.store.can(PhaseEvent.Accept)) {
      log.warn(`accept ${callId} ignored in phase ${this.store.phase}`);
      return;
    }
    this.store.dispatch(PhaseEvent.Accept);
    this.store.setCurrent(rec.confirmed as Call);
    const action = this.store.beginAction(callId, 'accept');
    if (!action) {
      this.store.dispatch(PhaseEvent.AcceptFailed);
      return;
    }
    try {
      const call = await this.rest.accept(callId);
      this.store.commitAction(action, call);
    } catch (e) {
      const err = e instanceof SwitchboardError ? e : SwitchboardError.network(e);
      this.store.rollbackAction(action, err);
      this.store.dispatch(PhaseEvent.AcceptFailed);
      this.store.dismissIncoming(callId);
      const view = this.store.record(callId)?.view;
      if (err.code === ErrorCode.CallAlreadyTaken && view?.staff) {
        this.store.notify('answered_elsewhere', `Answered by ${partyName(view.staff)}`, callId);
      } else if (
        err.code === ErrorCode.InvalidTransition &&
        typeof err.details?.ring === 'string'
      ) {
        // The call still rings for others, not for us (we declined it, took another call, or
        // were offline): a late ring, nothing went wrong.
        this.store.notify('info', 'That call is no longer ringing for you.', callId);
      } else this.store.notify('error', err.friendly, callId);
      return;
    }
    this.store.dispatch(PhaseEvent.AcceptOk);
    await this.allowMedia();
  }

  async decline(callId: string): Promise<void> {
    this.store.dismissIncoming(callId); // Optimistic: the modal closes at once.
    try {
      await this.rest.decline(callId);
    } catch (e) {
      const err = e instanceof SwitchboardError ? e : SwitchboardError.network(e);
      if (err.retryable) this.store.notify('error', err.friendly, callId);
    }
  }

  // --- Both ------------------------------------------------------------------------------------

  /** Hang up: cancels a ringing call (caller), ends an accepted or active one. */
  async hangUp(): Promise<void> {
    const call = this.store.getSnapshot().current;
    if (!call) return;
    if (call.state === 'ringing' && this.opts.role === 'client') {
      await this.serverAction(call.id, 'cancel', () => this.rest.cancel(call.id));
    } else if (call.state === 'accepted' || call.state === 'active') {
      await this.serverAction(call.id, 'hangup', () => this.rest.end(call.id));
    } else log.warn(`hang up ignored: call is ${call.state}`);
  }

  /**
   * Sends the rating. The summary says "sent" only once the server answered 200; meanwhile it is
   * `feedbackSending`, and after a refusal or a network error `feedbackError` holds a friendly
   * sentence and the rating can be sent again. Resolves true when the server took it.
   */
  async sendFeedback(feedback: Feedback): Promise<boolean> {
    const summary = this.store.getSnapshot().summary;
    if (!summary || summary.feedbackSent || summary.feedbackSending) return false;
    const { callId } = summary;
    // Only the summary of that call: the person may have moved on while the request was out.
    const update = (patch: Partial<CallSummary>): void => {
      if (this.store.getSnapshot().summary?.callId === callId) this.store.updateSummary(patch);
    };
    update({ feedbackSending: true, feedbackError: null });
    try {
      await this.rest.feedback(callId, feedback);
    } catch (e) {
      const err = e instanceof SwitchboardError ? e : SwitchboardError.network(e);
      log.warn(`call ${callId}: feedback not sent`, { code: err.code });
      update({ feedbackSending: false, feedbackError: err.friendly });
      return false;
    }
    update({ feedbackSending: false, feedbackSent: true, feedbackError: null });
    return true;
  }

  toggleMute(): void {
    const on = !this.mediaSnap.micOn;
    this.mediaSnap.local?.getAudioTracks().forEach((t) => (t.enabled = on));
    this.updateMedia({ micOn: on });
  }

  toggleCamera(): void {
    const on = !this.mediaSnap.cameraOn;
    this.mediaSnap.local?.getVideoTracks().forEach((t) => (t.enabled = on));
    this.updateMedia({ cameraOn: on });
  }

  async toggleScreenShare(): Promise<void> {
    if (this.screenStream) {
      await this.stopScreenShare();
      return;
    }
    if (!this.mediaSnap.screenShare.supported || !this.peer) return;
    try {
      const stream = await this.devices.getDisplayMedia();
      const track = stream.getVideoTracks()[0];
      if (!track || !this.peer) {
        stopStream(stream);
        return;
      }
      track.addEventListener('ended', () => void this.stopScreenShare());
      this.screenStream = stream;
      await this.peer.replaceTrack('video', track);
      this.updateMedia({ screenSharing: true });
    } catch (e) {
      const err = e instanceof SwitchboardError ? e : SwitchboardError.fromMediaError(e);
      if (err.code !== ErrorCode.PermissionDenied)
        this.store.notify('error', 'Screen sharing could not start.');
    }
  }

  private async stopScreenShare(): Promise<void> {
    if (!this.screenStream) return;
    stopStream(this.screenStream);
    this.screenStream = null;
    await this.peer?.replaceTrack('video', this.mediaSnap.local?.getVideoTracks()[0] ?? null);
    this.updateMedia({ screenSharing: false });
  }

  /** Switches microphone or camera, mid-call or before. */
  async selectDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    const isAudio = kind === 'audioinput';
    this.updateMedia(isAudio ? { audioDeviceId: deviceId } : { videoDeviceId: deviceId });
    if (!this.mediaSnap.local) return;
    await this.replaceLocalTrack(isAudio ? 'audio' : 'video', deviceId);
  }

  /** Stream used for previews before a call (the permission prompt). */
  async previewStream(): Promise<MediaStream> {
    return this.devices.getUserMedia({
      audio: true,
      video: true,
      audioDeviceId: this.mediaSnap.audioDeviceId,
      videoDeviceId: this.mediaSnap.videoDeviceId,
    });
  }

  // --- Internals -------------------------------------------------------------------------------

  private async serverAction(
    callId: string,
    event: string,
    run: () => Promise<Call>,
  ): Promise<Call | null> {
    const action = this.store.beginAction(callId, event);
    if (!action) return null;
    try {
      const call = await run();
      this.store.commitAction(action, call);
      return call;
    } catch (e) {
      const err = e instanceof SwitchboardError ? e : SwitchboardError.network(e);
      this.store.rollbackAction(action, err);
      if (err.code === ErrorCode.InvalidTransition) {
        // The call moved on without us: fetch where it is.
        void this.rest.getCall(callId).then(
          (c) => this.store.applyServerCall(c),
          () => undefined,
        );
      } else this.store.notify('error', err.friendly, callId);
      return null;
    }
  }

  private async onWelcome(user: User, calls: Call[]): Promise<void> {
    this.user = user;
    this.store.userId = user.id;
    this.emit('user', user);
    const seen = new Set(calls.map((c) => c.id));
    for (const call of calls) this.store.applyServerCall(call);
    // Calls we knew as live but the server no longer lists have ended while we were away.
    for (const id of this.store.liveCallIds()) {
      if (seen.has(id)) continue;
      try {
        this.store.applyServerCall(await this.rest.getCall(id));
      } catch {
        this.store.dismissIncoming(id);
      }
    }
    if (this.store.phase === CallPhase.Idle) {
      const mine = calls.find((c) =>
        this.opts.role === 'client'
          ? c.caller.id === user.id
          : (c.state === 'accepted' || c.state === 'active') && c.staff?.id === user.id,
      );
      if (mine) await this.resumeCall(mine);
    }
  }

  /** After a reload: carry on with a call the server says is still live. */
  private async resumeCall(call: Call): Promise<void> {
    if (isTerminal(call.state)) return;
    log.info(`resuming call ${call.id} (${call.state})`);
    if (call.state !== 'ringing') this.resumedCallId = call.id;
    this.store.setCurrent(call);
    this.store.applyServerCall(call);
    if (this.opts.role === 'client') {
      if (!this.mediaSnap.local) {
        try {
          this.setLocalStream(await this.previewStream());
        } catch (e) {
          this.store.setError(SwitchboardError.fromMediaError(e));
        }
      }
      this.store.dispatch(
        call.state === 'ringing' ? PhaseEvent.ResumeRinging : PhaseEvent.ResumeCall,
      );
    } else {
      this.store.dispatch(PhaseEvent.ResumeCall);
      await this.allowMedia();
    }
  }

  private onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'call.incoming':
      case 'call.updated':
        this.store.applyServerCall(m.call);
        if (m.type === 'call.updated' && m.call.state !== 'ringing') this.clearRingTimer(m.call.id);
        break;
      case 'signal':
        if (this.peer && this.peer.callId === m.call_id) {
          if (m.kind === 'offer' || m.kind === 'restart') this.sinceOffer = [];
          this.sinceOffer.push({ kind: m.kind, data: m.data });
          if (this.sinceOffer.length > 200) this.sinceOffer.shift();
          void this.peer.handleSignal(m.kind, m.data);
        } else {
          const list = this.bufferedSignals.get(m.call_id) ?? [];
          if (list.length < 200) list.push({ kind: m.kind, data: m.data });
          this.bufferedSignals.set(m.call_id, list);
        }
        break;
      case 'ice_servers':
        this.iceServers = m.ice_servers;
        this.peer?.updateIceServers(m.ice_servers);
        break;
      case 'availability.updated':
        this.emit('availability', m.staff);
        break;
      default:
        break;
    }
  }

  private onPhase(to: CallPhase, from: CallPhase, event: PhaseEvent): void {
    if (to === CallPhase.Connecting && from !== CallPhase.Reconnecting) void this.startPeer();
    if (to === CallPhase.Ended) void this.onEnded();
    if (event === PhaseEvent.CreateFailed || event === PhaseEvent.AcceptFailed) this.teardownPeer();
  }

  private async startPeer(): Promise<void> {
    const call = this.store.getSnapshot().current;
    if (!call || this.peer?.callId === call.id) return;
    if (!this.mediaSnap.local) {
      log.warn(`call ${call.id}: no local media; cannot connect`);
      return;
    }
    let servers = this.iceServers;
    if (!servers) {
      try {
        servers = (await this.rest.iceServers()).ice_servers;
      } catch (e) {
        log.warn('could not fetch ICE servers; trying without', { error: String(e) });
        servers = [];
      }
    }
    const current = this.store.getSnapshot().current;
    if (!current || current.id !== call.id || isTerminal(current.state) || this.peer) return;
    this.buildPeer(call.id, servers);
  }

  private buildPeer(callId: string, servers: RTCIceServer[], rebuilt = false): PeerSession {
    // After a reload the other side still holds the old connection: whoever comes back offers,
    // and the other side rebuilds when that offer cannot apply to its old connection ("broken").
    const resumed = this.resumedCallId === callId;
    this.resumedCallId = null;
    const peer = new PeerSession({
      callId,
      polite: this.opts.role === 'client',
      initiator: !rebuilt && (this.opts.role === 'staff' || resumed),
      iceServers: servers,
      iceTransportPolicy: this.opts.iceTransportPolicy,
      createPeerConnection: this.opts.createPeerConnection,
      localStream: this.mediaSnap.local as MediaStream,
      sendSignal: (kind, data) => this.signaling.sendSignal(callId, kind, data),
      fetchIceServers: async () => {
        const fresh = (await this.rest.iceServers()).ice_servers;
        this.iceServers = fresh;
        return fresh;
      },
    });
    this.peer = peer;
    peer.on('remoteStream', (s) => this.updateMedia({ remote: s }));
    peer.on('remoteMedia', (m) => this.updateMedia({ remoteMedia: m }));
    peer.on('connectionState', (s) => this.onPeerState(callId, peer, s));
    peer.on('failed', (reason) => void this.failCurrentCall(reason));
    peer.on('broken', (kind, data) => {
      // The other side rebuilt its connection (a reload): rebuild ours and take its offer, with
      // the candidates that came after it.
      if (this.peer !== peer) return;
      if (kind === 'answer') {
        // Our offer met a connection that is not the one we negotiated with: start afresh.
        log.info(`call ${callId}: answer did not apply; rebuilding and offering again`);
        this.teardownPeer();
        this.resumedCallId = callId;
        this.buildPeer(callId, this.iceServers ?? servers);
        return;
      }
      log.info(`call ${callId}: rebuilding the peer connection for a fresh offer`);
      const replay = this.sinceOffer.length ? this.sinceOffer.slice() : [{ kind, data }];
      this.teardownPeer();
      const again = this.buildPeer(callId, this.iceServers ?? servers, true);
      this.sinceOffer = replay;
      for (const s of replay) void again.handleSignal(s.kind, s.data);
    });
    peer.setLocalMedia({
      audio: this.mediaSnap.micOn,
      video: this.mediaSnap.cameraOn,
      screen: this.mediaSnap.screenSharing,
    });
    peer.start();
    for (const s of this.bufferedSignals.get(callId) ?? []) void peer.handleSignal(s.kind, s.data);
    this.bufferedSignals.delete(callId);
    this.sampler = new StatsSampler(
      peer.pc,
      (sample) => void this.rest.quality(callId, sample).catch(() => undefined),
      this.opts.statsIntervalMs ?? 2000,
    );
    this.sampler.on('sample', (_s, snap) => this.updateMedia({ stats: snap }));
    this.sampler.start();
    return peer;
  }

  private onPeerState(callId: string, peer: PeerSession, state: RTCPeerConnectionState): void {
    if (state === 'connected') {
      this.store.dispatch(PhaseEvent.IceConnected);
      if (!this.connectedReported.has(callId)) {
        this.connectedReported.add(callId);
        void this.reportConnected(callId, peer);
      }
    } else if (state === 'disconnected' || state === 'failed') {
      if (this.store.phase === CallPhase.Connected) this.store.dispatch(PhaseEvent.IceDisconnected);
    }
  }

  /**
   * `POST /connected` with the selected pair's candidate type (the server's ICE metrics). The type
   * is read from getStats() first; when the browser does not know it yet we wait a little
   * (bounded), and report without it rather than late.
   */
  private async reportConnected(callId: string, peer: PeerSession): Promise<void> {
    const candidateType = await waitForCandidateType(peer.pc, {
      timeoutMs: this.opts.candidateWaitMs ?? CANDIDATE_WAIT_MS,
    });
    if (!candidateType) log.info(`call ${callId}: route not known yet; reporting without it`);
    const report = (): Promise<Call> => this.rest.connected(callId, candidateType);
    if (this.store.record(callId)?.view.state === 'accepted')
      await this.serverAction(callId, 'connected', report);
    else
      await report().then(
        (c) => this.store.applyServerCall(c),
        () => undefined,
      );
  }

  /** Media could not be (re)established: tell the server, which ends or fails the call. */
  private async failCurrentCall(reason: string): Promise<void> {
    const call = this.store.getSnapshot().current;
    if (!call) return;
    if (call.state === 'accepted') {
      await this.serverAction(call.id, 'media_failed', () => this.rest.end(call.id, reason));
    } else if (call.state === 'active') {
      await this.serverAction(call.id, 'hangup', () => this.rest.end(call.id, reason));
    }
  }

  private async onEnded(): Promise<void> {
    const summary = this.store.getSnapshot().summary;
    const local = this.sampler?.summary() ?? null;
    this.teardownMedia();
    if (local) this.store.updateSummary({ localQuality: local });
    if (!summary) return;
    // The server's summary of the call's quality is on the call once it has ended.
    try {
      const call = await this.rest.getCall(summary.callId);
      const mine = this.opts.role === 'client' ? call.quality?.caller : call.quality?.staff;
      const duration =
        call.active_at && call.ended_at
          ? Date.parse(call.ended_at) - Date.parse(call.active_at)
          : summary.durationMs;
      this.store.updateSummary({ quality: mine ?? null, durationMs: duration });
    } catch {
      /* The local summary stays. */
    }
  }

  private setLocalStream(stream: MediaStream): void {
    stream.getAudioTracks().forEach((t) => (t.enabled = this.mediaSnap.micOn));
    stream.getVideoTracks().forEach((t) => (t.enabled = this.mediaSnap.cameraOn));
    for (const track of stream.getTracks()) {
      track.addEventListener('ended', () => {
        if (this.mediaSnap.local === stream && track.readyState === 'ended') {
          log.warn(`${track.kind} device stopped (unplugged?); switching to the default one`);
          void this.replaceLocalTrack(track.kind as 'audio' | 'video', null);
        }
      });
    }
    this.updateMedia({ local: stream });
  }

  /** A new device appeared or one went away: follow the unplugged one to the default device. */
  private async onDevicesChanged(): Promise<void> {
    const lists = this.devices.lists;
    const inputs = [...lists.audioinput, ...lists.videoinput].filter((d) => d.deviceId);
    const before = this.knownInputs;
    this.knownInputs = new Set(inputs.map((d) => d.deviceId));
    const local = this.mediaSnap.local;
    if (!local) return;
    // A device plugged in mid-call: say so; the person switches in the call's device settings.
    if (before) {
      for (const d of inputs) {
        if (before.has(d.deviceId) || d.deviceId === 'default') continue;
        const what = d.kind === 'audioinput' ? 'microphone' : 'camera';
        this.store.notify(
          'info',
          `New ${what} found${d.label ? `: ${d.label}` : ''}. You can switch in Devices.`,
        );
      }
    }
    for (const track of local.getTracks()) {
      const id = track.getSettings().deviceId;
      const list = track.kind === 'audio' ? lists.audioinput : lists.videoinput;
      if (id && list.length && !list.some((d) => d.deviceId === id)) {
        log.warn(`${track.kind} device ${id} is gone; switching to the default one`);
        await this.replaceLocalTrack(track.kind as 'audio' | 'video', null);
      }
    }
  }

  private async replaceLocalTrack(kind: 'audio' | 'video', deviceId: string | null): Promise<void> {
    const local = this.mediaSnap.local;
    if (!local) return;
    let fresh: MediaStream;
    try {
      fresh = await this.devices.getUserMedia({
        audio: kind === 'audio',
        video: kind === 'video',
        audioDeviceId: kind === 'audio' ? deviceId : null,
        videoDeviceId: kind === 'video' ? deviceId : null,
      });
    } catch (e) {
      this.store.notify('error', SwitchboardError.fromMediaError(e).friendly);
      return;
    }
    const track = kind === 'audio' ? fresh.getAudioTracks()[0] : fresh.getVideoTracks()[0];
    if (!track) return;
    track.enabled = kind === 'audio' ? this.mediaSnap.micOn : this.mediaSnap.cameraOn;
    const old = kind === 'audio' ? local.getAudioTracks() : local.getVideoTracks();
    const next = new MediaStream([...local.getTracks().filter((t) => !old.includes(t)), track]);
    old.forEach((t) => t.stop());
    if (this.peer && !(kind === 'video' && this.screenStream))
      await this.peer.replaceTrack(kind, track);
    this.setLocalStream(next);
  }

  private teardownPeer(): void {
    this.sampler?.stop();
    this.peer?.close();
    this.peer = null;
  }

  private teardownMedia(): void {
    this.sampler?.stop();
    this.peer?.close();
    this.peer = null;
    this.sampler = null;
    stopStream(this.screenStream);
    this.screenStream = null;
    stopStream(this.mediaSnap.local);
    this.updateMedia({
      local: null,
      remote: null,
      screenSharing: false,
      stats: null,
      micOn: true,
      cameraOn: this.opts.media?.video ?? true,
      remoteMedia: { audio: true, video: true, screen: false },
    });
  }

  private updateMedia(patch: Partial<MediaSnapshot>): void {
    this.mediaSnap = { ...this.mediaSnap, ...patch };
    if (this.peer && ('micOn' in patch || 'cameraOn' in patch || 'screenSharing' in patch)) {
      this.peer.setLocalMedia({
        audio: this.mediaSnap.micOn,
        video: this.mediaSnap.cameraOn || this.mediaSnap.screenSharing,
        screen: this.mediaSnap.screenSharing,
      });
    }
    this.emit('media', this.mediaSnap);
  }

  /**
   * Staff: each ringing call stops ringing here at its deadline even if the server's update is
   * lost; the call is then fetched to learn its real state.
   */
  private syncRingTimers(incoming: Call[]): void {
    for (const call of incoming) {
      if (this.ringTimers.has(call.id) || !call.ring_deadline) continue;
      const due = Date.parse(call.ring_deadline) - this.rest.clockOffsetMs - Date.now();
      const timer = setTimeout(
        () => {
          this.ringTimers.delete(call.id);
          const view = this.store.record(call.id)?.view;
          if (view?.state !== 'ringing') return;
          log.warn(`call ${call.id}: ring deadline passed without an update; stopping the ring`);
          this.store.dismissIncoming(call.id);
          this.store.notify('missed', `Missed call from ${partyName(call.caller)}`, call.id);
          void this.rest.getCall(call.id).then(
            (c) => this.store.applyServerCall(c),
            () => undefined,
          );
        },
        Math.max(0, due) + 500,
      );
      this.ringTimers.set(call.id, timer);
    }
  }

  private clearRingTimer(id: string): void {
    const t = this.ringTimers.get(id);
    if (t) clearTimeout(t);
    this.ringTimers.delete(id);
  }
}
