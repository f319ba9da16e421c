/** Media doubles: streams, a DeviceManager whose answers the test sets, a scripted peer connection. */
import { vi } from 'vitest';
import {
  DeviceManager,
  type DeviceLists,
  type MediaChoice,
  type PermissionStatus,
} from '../devices/DeviceManager';

export function fakeStream(): MediaStream {
  const track = (kind: string) => ({
    kind,
    enabled: true,
    readyState: 'live',
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

export class FakeDevices extends DeviceManager {
  fakeLists: DeviceLists = { audioinput: [], videoinput: [], audiooutput: [] };
  /** What getUserMedia was asked, in order. */
  asked: MediaChoice[] = [];
  /** Refuses the camera (NotAllowedError) but gives the microphone alone. */
  denyCamera = false;

  constructor(
    public perm: PermissionStatus = 'granted',
    public deny = false,
  ) {
    super();
  }
  override permission(): Promise<PermissionStatus> {
    return Promise.resolve(this.perm);
  }
  override getUserMedia(c: MediaChoice): Promise<MediaStream> {
    this.asked.push(c);
    if (this.deny || (this.denyCamera && c.video))
      return Promise.reject(Object.assign(new Error('denied'), { name: 'NotAllowedError' }));
    return Promise.resolve(fakeStream());
  }
  override watch(): () => void {
    return () => undefined;
  }
  override get lists(): DeviceLists {
    return this.fakeLists;
  }
  /** Plays the browser: the device list changed. */
  plug(lists: DeviceLists): void {
    this.fakeLists = lists;
    this.emit('devices', lists);
  }
}

export const device = (kind: MediaDeviceKind, deviceId: string, label: string) =>
  ({ kind, deviceId, label, groupId: 'g' }) as MediaDeviceInfo;

/** Just enough RTCPeerConnection for the client: states we set, descriptions and stats we script. */
export class ScriptedPc {
  connectionState: RTCPeerConnectionState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  signalingState: RTCSignalingState = 'stable';
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((e: unknown) => void) | null = null;
  ontrack: ((e: unknown) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  /** What getStats() answers, in order (the last one repeats). */
  stats: Map<string, Record<string, unknown>>[] = [];
  statsCalls = 0;
  /** Remote descriptions refuse to apply (a connection the other side no longer has). */
  refuseRemote = false;
  /** What was applied: `remote offer:sdp`, `candidate c1`... */
  applied: string[] = [];
  closed = false;
  /** The control channel, to deliver the other side's messages (`onmessage`) or its close. */
  channel: {
    readyState: string;
    send: ReturnType<typeof vi.fn>;
    close: ReturnType<typeof vi.fn>;
    onopen: (() => void) | null;
    onmessage: ((ev: { data: unknown }) => void) | null;
    onclose: (() => void) | null;
  } | null = null;
  createDataChannel() {
    this.channel = {
      readyState: 'connecting',
      send: vi.fn(),
      close: vi.fn(),
      onopen: null,
      onmessage: null,
      onclose: null,
    };
    return this.channel;
  }
  addTrack() {}
  getSenders() {
    return [];
  }
  getTransceivers() {
    return [];
  }
  close() {
    this.closed = true;
  }
  setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
    if (this.refuseRemote) return Promise.reject(new Error('InvalidStateError'));
    this.remoteDescription = d;
    this.applied.push(`remote ${d.type}:${d.sdp}`);
    return Promise.resolve();
  }
  setLocalDescription(): Promise<void> {
    this.localDescription = { type: 'answer', sdp: 'our-answer' };
    return Promise.resolve();
  }
  addIceCandidate(c?: RTCIceCandidateInit): Promise<void> {
    this.applied.push(`candidate ${c?.candidate ?? 'end'}`);
    return Promise.resolve();
  }
  getStats(): Promise<Map<string, Record<string, unknown>>> {
    const i = Math.min(this.statsCalls++, this.stats.length - 1);
    return Promise.resolve(this.stats[i] ?? new Map());
  }
  restarts = 0;

  restartIce(): void {
    this.restarts++;
  }

  setConnection(state: RTCPeerConnectionState) {
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }
}

/** getStats() entries naming the selected pair's local candidate type (none when null). */
export function selectedPairStats(candidateType: string | null) {
  const entries: Record<string, unknown>[] = [
    { id: 'T1', type: 'transport', timestamp: 1, selectedCandidatePairId: candidateType && 'CP1' },
    { id: 'CP1', type: 'candidate-pair', timestamp: 1, localCandidateId: 'L1', state: 'succeeded' },
    { id: 'L1', type: 'local-candidate', timestamp: 1, candidateType: candidateType ?? 'host' },
  ];
  return new Map(entries.map((e) => [e.id as string, e]));
}

export const flush = () => new Promise((r) => setTimeout(r, 0));
