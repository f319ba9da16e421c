/**
 * This person's own media: the camera and microphone stream, mute and camera switches, screen
 * sharing, device choice (following an unplugged device to the default one), and the snapshot
 * the UI renders (`MediaSnapshot`, which also carries what the peer reports: the remote stream,
 * the remote side's switches and the latest stats).
 */
import { ErrorCode, SwitchboardError } from '../errors';
import type { CallStore } from '../call/CallStore';
import {
  DeviceManager,
  stopStream,
  type PermissionStatus,
  type ScreenShareSupport,
} from '../devices/DeviceManager';
import type { PeerSession, RemoteMediaState } from '../webrtc/PeerSession';
import type { StatsSnapshot } from '../stats/StatsSampler';
import { TypedEmitter } from '../util/emitter';
import { getLogger } from '../util/logger';

const log = getLogger('media');

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
  /**
   * The camera could not be used (refused, missing, busy) but the microphone could: the call goes
   * on with audio only. Null while the camera works (or was not asked for).
   */
  cameraProblem: CameraProblem | null;
  /** The other side's page went away (closed, or reloading); the call ends unless they return. */
  remoteLeft: boolean;
}

/** Why a call is audio-only. */
export type CameraProblem = 'blocked' | 'missing' | 'busy';

function cameraProblemOf(e: unknown): CameraProblem {
  const code = (e instanceof SwitchboardError ? e : SwitchboardError.fromMediaError(e)).code;
  if (code === ErrorCode.PermissionDenied) return 'blocked';
  if (code === ErrorCode.DeviceNotFound) return 'missing';
  return 'busy';
}

export interface MediaControllerOptions {
  devices: DeviceManager;
  /** Where device notices go. */
  store: CallStore;
  media?: { audio: boolean; video: boolean };
  /** The call's peer connection, if one is up (tracks are replaced on it). */
  currentPeer: () => PeerSession | null;
}

type MediaEvents = { change: (m: MediaSnapshot) => void };

export class MediaController extends TypedEmitter<MediaEvents> {
  private snap: MediaSnapshot;
  private screenStream: MediaStream | null = null;
  private knownInputs: Set<string> | null = null;

  constructor(private readonly opts: MediaControllerOptions) {
    super();
    this.snap = {
      local: null,
      remote: null,
      micOn: true,
      cameraOn: this.videoWanted,
      screenSharing: false,
      remoteMedia: { audio: true, video: true, screen: false },
      screenShare: DeviceManager.screenShareSupport(),
      stats: null,
      audioDeviceId: null,
      videoDeviceId: null,
      permission: null,
      acquiring: false,
      cameraProblem: null,
      remoteLeft: false,
    };
  }

  get snapshot(): MediaSnapshot {
    return this.snap;
  }

  /** What the peer should send: the switches as they are now. */
  get sending(): RemoteMediaState {
    return {
      audio: this.snap.micOn,
      video: this.snap.cameraOn || this.snap.screenSharing,
      screen: this.snap.screenSharing,
    };
  }

  /** Follows device changes until the returned function is called. */
  followDevices(): () => void {
    const unwatch = this.opts.devices.watch();
    const off = this.opts.devices.on('devices', () => void this.onDevicesChanged());
    return () => {
      unwatch();
      off();
    };
  }

  /**
   * Camera and microphone for the call, with the chosen devices (may show the browser's prompt).
   * When the camera cannot be had but the microphone can, the call goes on audio-only
   * (`cameraProblem` says why); only a microphone that cannot be had is an error.
   */
  async acquire(): Promise<MediaStream> {
    this.update({ acquiring: true });
    const audio = this.opts.media?.audio ?? true;
    const choice = {
      audio,
      video: this.videoWanted,
      audioDeviceId: this.snap.audioDeviceId,
      videoDeviceId: this.snap.videoDeviceId,
    };
    try {
      const stream = await this.opts.devices.getUserMedia(choice);
      this.update({ acquiring: false, permission: 'granted', cameraProblem: null });
      return stream;
    } catch (e) {
      if (!choice.video || !audio) {
        this.update({ acquiring: false });
        throw e;
      }
      try {
        const stream = await this.opts.devices.getUserMedia({ ...choice, video: false });
        log.warn('no camera for the call; going on with audio only');
        this.update({ acquiring: false, cameraOn: false, cameraProblem: cameraProblemOf(e) });
        return stream;
      } catch (micError) {
        // The microphone's own reason is the one that stops the call.
        this.update({ acquiring: false });
        throw micError;
      }
    }
  }

  /** Stream used for previews before a call (the permission prompt). */
  previewStream(): Promise<MediaStream> {
    return this.opts.devices.getUserMedia({
      audio: true,
      video: true,
      audioDeviceId: this.snap.audioDeviceId,
      videoDeviceId: this.snap.videoDeviceId,
    });
  }

  setLocalStream(stream: MediaStream): void {
    stream.getAudioTracks().forEach((t) => (t.enabled = this.snap.micOn));
    stream.getVideoTracks().forEach((t) => (t.enabled = this.snap.cameraOn));
    for (const track of stream.getTracks()) {
      track.addEventListener('ended', () => {
        if (this.snap.local === stream && track.readyState === 'ended') {
          log.warn(`${track.kind} device stopped (unplugged?); switching to the default one`);
          void this.replaceLocalTrack(track.kind as 'audio' | 'video', null);
        }
      });
    }
    this.update({ local: stream });
  }

  toggleMute(): void {
    const on = !this.snap.micOn;
    this.snap.local?.getAudioTracks().forEach((t) => (t.enabled = on));
    this.update({ micOn: on });
  }

  toggleCamera(): void {
    if (this.snap.cameraProblem) return; // Audio-only: there is no camera to switch on.
    const on = !this.snap.cameraOn;
    this.snap.local?.getVideoTracks().forEach((t) => (t.enabled = on));
    this.update({ cameraOn: on });
  }

  async toggleScreenShare(): Promise<void> {
    if (this.screenStream) {
      await this.stopScreenShare();
      return;
    }
    if (!this.snap.screenShare.supported || !this.opts.currentPeer()) return;
    try {
      const stream = await this.opts.devices.getDisplayMedia();
      const track = stream.getVideoTracks()[0];
      const peer = this.opts.currentPeer();
      if (!track || !peer) {
        stopStream(stream);
        return;
      }
      track.addEventListener('ended', () => void this.stopScreenShare());
      this.screenStream = stream;
      await peer.replaceTrack('video', track);
      this.update({ screenSharing: true });
    } catch (e) {
      const err = e instanceof SwitchboardError ? e : SwitchboardError.fromMediaError(e);
      if (err.code !== ErrorCode.PermissionDenied)
        this.opts.store.notify('error', 'Screen sharing could not start.');
    }
  }

  /** Switches microphone or camera, mid-call or before. */
  async selectDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    const isAudio = kind === 'audioinput';
    this.update(isAudio ? { audioDeviceId: deviceId } : { videoDeviceId: deviceId });
    if (!this.snap.local) return;
    await this.replaceLocalTrack(isAudio ? 'audio' : 'video', deviceId);
  }

  /** The call is over: release camera and screen, forget what the peer reported. */
  release(): void {
    stopStream(this.screenStream);
    this.screenStream = null;
    stopStream(this.snap.local);
    this.update({
      local: null,
      remote: null,
      screenSharing: false,
      stats: null,
      micOn: true,
      cameraOn: this.videoWanted,
      remoteMedia: { audio: true, video: true, screen: false },
      cameraProblem: null,
      remoteLeft: false,
    });
  }

  update(patch: Partial<MediaSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    if ('micOn' in patch || 'cameraOn' in patch || 'screenSharing' in patch)
      this.opts.currentPeer()?.setLocalMedia(this.sending);
    this.emit('change', this.snap);
  }

  private get videoWanted(): boolean {
    return this.opts.media?.video ?? true;
  }

  private async stopScreenShare(): Promise<void> {
    if (!this.screenStream) return;
    stopStream(this.screenStream);
    this.screenStream = null;
    await this.opts
      .currentPeer()
      ?.replaceTrack('video', this.snap.local?.getVideoTracks()[0] ?? null);
    this.update({ screenSharing: false });
  }

  /** A new device appeared or one went away: follow the unplugged one to the default device. */
  private async onDevicesChanged(): Promise<void> {
    const lists = this.opts.devices.lists;
    const inputs = [...lists.audioinput, ...lists.videoinput].filter((d) => d.deviceId);
    const before = this.knownInputs;
    this.knownInputs = new Set(inputs.map((d) => d.deviceId));
    const local = this.snap.local;
    if (!local) return;
    // A device plugged in mid-call: say so; the person switches in the call's device settings.
    if (before) {
      for (const d of inputs) {
        if (before.has(d.deviceId) || d.deviceId === 'default') continue;
        const what = d.kind === 'audioinput' ? 'microphone' : 'camera';
        this.opts.store.notify(
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
    const local = this.snap.local;
    if (!local) return;
    let fresh: MediaStream;
    try {
      fresh = await this.opts.devices.getUserMedia({
        audio: kind === 'audio',
        video: kind === 'video',
        audioDeviceId: kind === 'audio' ? deviceId : null,
        videoDeviceId: kind === 'video' ? deviceId : null,
      });
    } catch (e) {
      this.opts.store.notify('error', SwitchboardError.fromMediaError(e).friendly);
      return;
    }
    const track = kind === 'audio' ? fresh.getAudioTracks()[0] : fresh.getVideoTracks()[0];
    if (!track) return;
    track.enabled = kind === 'audio' ? this.snap.micOn : this.snap.cameraOn;
    const old = kind === 'audio' ? local.getAudioTracks() : local.getVideoTracks();
    const next = new MediaStream([...local.getTracks().filter((t) => !old.includes(t)), track]);
    old.forEach((t) => t.stop());
    const peer = this.opts.currentPeer();
    if (peer && !(kind === 'video' && this.screenStream)) await peer.replaceTrack(kind, track);
    this.setLocalStream(next);
  }
}
