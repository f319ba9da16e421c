/**
 * The object an integrator (or our own pages) holds: the REST and signaling clients, the call
 * store, devices and the board, with plain actions (placeCall, accept, hangUp, toggleMute...).
 * No React in here. The work is in client/: CallActions and CallSync (the call), MediaController
 * (camera, microphone, screen), PeerController (the connection) and RingWatchdog (staff rings).
 * The store owns the phase and says what a change causes; runEffect carries it out.
 */
import { BoardSubscription } from './board/BoardSubscription';
import { CallStore, type Role } from './call/CallStore';
import { PhaseEffect } from './call/phases';
import { CallActions } from './client/CallActions';
import { CallSync } from './client/CallSync';
import { MediaController, type MediaSnapshot } from './client/MediaController';
import { PeerController } from './client/PeerController';
import { RingWatchdog } from './client/RingWatchdog';
import { DeviceManager } from './devices/DeviceManager';
import { RestClient } from './rest/RestClient';
import type { ReconnectPolicy } from './signaling/ReconnectPolicy';
import {
  SignalingClient,
  SignalingState,
  type WebSocketFactory,
} from './signaling/SignalingClient';
import type {
  Call,
  Feedback,
  ServerMessage,
  StaffEntry,
  StaffStatus,
  TransferTarget,
  User,
} from './types';
import { TypedEmitter } from './util/emitter';
import type { PeerSession } from './webrtc/PeerSession';

export type { MediaSnapshot, CameraProblem } from './client/MediaController';

export interface SwitchboardClientOptions {
  role: Role;
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

/** What each SwitchboardClient event passes (names in `ClientEvent`, events.ts). */
export type ClientEventCallbacks = {
  media: (m: MediaSnapshot) => void;
  signaling: (s: SignalingState) => void;
  user: (u: User) => void;
  /** This staff member's own entry changed (`availability.updated`; the org's is on `board`). */
  availability: (entry: StaffEntry) => void;
  /**
   * A call as the server just told it (`call.incoming`, `call.updated`), this user's current
   * call or not: a staff member rung for a call hears every later move of it, so lists of
   * calls can follow them without asking.
   */
  call: (call: Call) => void;
  authFailed: () => void;
};

export class SwitchboardClient extends TypedEmitter<ClientEventCallbacks> {
  readonly store: CallStore;
  readonly rest: RestClient;
  readonly signaling: SignalingClient;
  readonly devices: DeviceManager;
  /** The org's staff board (staff and admins; a client is refused). Not followed until subscribed. */
  readonly board: BoardSubscription;
  private readonly media: MediaController;
  private readonly peers: PeerController;
  private readonly actions: CallActions;
  private readonly sync: CallSync;
  private readonly rings: RingWatchdog;
  private user: User | null = null;
  private readonly stops: (() => void)[] = [];

  constructor(opts: SwitchboardClientOptions) {
    super();
    const { role, getToken } = opts;
    const store = (this.store = new CallStore(role));
    const rest = (this.rest = opts.rest ?? new RestClient({ baseUrl: opts.baseUrl, getToken }));
    const devices = (this.devices = opts.devices ?? new DeviceManager());
    const signaling = (this.signaling = new SignalingClient({ ...opts, url: opts.wsUrl }));
    this.board = new BoardSubscription(signaling);
    // Each part takes what it needs from the options and these shared objects.
    const shared = { ...opts, store, rest, devices, signaling };
    const currentPeer = () => this.peers.current;
    const media = (this.media = new MediaController({ ...shared, currentPeer }));
    const onFailed = (reason: string) => void this.actions.failCurrentCall(reason);
    const onOtherLeft = (reason: string) => void this.actions.endBecauseOtherLeft(reason);
    const peers = (this.peers = new PeerController({ ...shared, media, onFailed, onOtherLeft }));
    const release = () => this.release();
    this.actions = new CallActions({ ...shared, media, peers, callMedia: opts.media, release });
    this.sync = new CallSync(role, store, rest, this.actions);
    this.rings = new RingWatchdog(store, rest);
    media.on('change', (m) => this.emit('media', m));
    signaling.on('welcome', (w) => {
      void this.onWelcome(w.user, w.calls);
      this.peers.signalingReady();
    });
    signaling.on('message', (m) => this.onMessage(m));
    signaling.on('state', (s) => this.emit('signaling', s));
    signaling.on('authFailed', () => this.emit('authFailed'));
    store.on('effect', (e) => this.runEffect(e));
  }

  get currentUser(): User | null {
    return this.user;
  }

  /** The current call's connection (for debugging and the end-to-end tests), or null. */
  get peer(): PeerSession | null {
    return this.peers.current;
  }

  getMediaSnapshot = (): MediaSnapshot => this.media.snapshot;

  subscribeMedia = (fn: () => void): (() => void) => this.on('media', () => fn());

  connect(): void {
    this.signaling.connect();
    this.stops.push(
      this.media.followDevices(),
      this.peers.followNetwork(() => this.signaling.reconnectNow()),
      this.peers.followPageExit(),
    );
  }

  dispose(): void {
    this.release();
    this.board.dispose();
    this.signaling.close();
    for (const stop of this.stops.splice(0)) stop();
    this.rings.dispose();
    this.store.removeAllListeners();
    this.removeAllListeners();
  }

  placeCall = (): Promise<void> => this.actions.placeCall();
  allowMedia = (): Promise<void> => this.actions.allowMedia();
  dismiss = (): void => this.actions.dismiss();
  checkDevices = (): Promise<boolean> => this.actions.checkDevices();
  accept = (callId: string): Promise<void> => this.actions.accept(callId);
  decline = (callId: string): Promise<void> => this.actions.decline(callId);
  hangUp = (): Promise<void> => this.actions.hangUp();
  /**
   * Staff: passes the current active call on to a staff member or a topic (docs/queue.md#transfer).
   * The server ends this call `transferred`; the caller's client follows to the new call.
   */
  transfer = (to: TransferTarget): Promise<Call> => {
    const call = this.store.getSnapshot().current;
    if (!call) return Promise.reject(new Error('no current call to transfer'));
    return this.rest.transfer(call.id, to);
  };
  sendFeedback = (feedback: Feedback): Promise<boolean> => this.actions.sendFeedback(feedback);
  setAvailability = (status: StaffStatus): Promise<StaffEntry> =>
    this.rest.setMyAvailability(status);
  toggleMute = (): void => this.media.toggleMute();
  toggleCamera = (): void => this.media.toggleCamera();
  toggleScreenShare = (): Promise<void> => this.media.toggleScreenShare();
  selectDevice = (kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> =>
    this.media.selectDevice(kind, deviceId);
  previewStream = (): Promise<MediaStream> => this.media.previewStream();

  private async onWelcome(user: User, calls: Call[]): Promise<void> {
    this.user = user;
    this.store.userId = user.id;
    this.emit('user', user);
    await this.sync.welcome(user, calls);
  }

  private onMessage(m: ServerMessage): void {
    if (m.type === 'call.incoming' || m.type === 'call.updated') {
      this.store.applyServerCall(m.call);
      if (m.type === 'call.updated' && m.call.state !== 'ringing') this.rings.forget(m.call.id);
      this.emit('call', m.call);
    } else if (m.type === 'signal') this.peers.handleSignal(m.call_id, m.kind, m.data);
    else if (m.type === 'ice_servers') this.peers.setIceServers(m.ice_servers);
    else if (m.type === 'availability.updated') this.emit('availability', m.staff);
    else if (m.type === 'queue.updated') {
      const { position, estimated_wait_s } = m;
      this.store.applyQueueSpot(m.call_id, { position, estimated_wait_s });
    }
  }

  private runEffect(effect: PhaseEffect): void {
    if (effect === PhaseEffect.ConnectMedia) void this.peers.start();
    else if (effect === PhaseEffect.ClosePeer) this.peers.close();
    else if (effect === PhaseEffect.EndCall) {
      const local = this.peers.localQuality();
      this.release();
      void this.sync.ended(local);
    }
  }

  /** Connection closed, camera and screen released. */
  private release(): void {
    this.peers.close();
    this.media.release();
  }
}
