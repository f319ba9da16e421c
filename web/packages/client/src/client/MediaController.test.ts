/** Own media: switches reach the tracks and the peer, devices are followed, release resets. */
import { describe, expect, it, vi } from 'vitest';
import { CallStore, type Notice } from '../call/CallStore';
import { device, fakeStream, FakeDevices, flush } from '../test/media';
import type { PeerSession } from '../webrtc/PeerSession';
import { MediaController } from './MediaController';

function controller(peer: Partial<PeerSession> | null = null, devices = new FakeDevices()) {
  const store = new CallStore('client');
  const notices: Notice[] = [];
  store.on('notice', (n) => notices.push(n));
  const media = new MediaController({
    devices,
    store,
    currentPeer: () => peer as PeerSession | null,
  });
  return { media, devices, notices };
}

describe('MediaController', () => {
  it('mute and camera switches reach the tracks and what the peer sends', () => {
    const setLocalMedia = vi.fn();
    const { media } = controller({ setLocalMedia });
    const stream = fakeStream();
    media.setLocalStream(stream);
    media.toggleMute();
    expect(stream.getAudioTracks()[0]?.enabled).toBe(false);
    expect(setLocalMedia).toHaveBeenLastCalledWith({ audio: false, video: true, screen: false });
    media.toggleCamera();
    expect(stream.getVideoTracks()[0]?.enabled).toBe(false);
    expect(media.snapshot).toMatchObject({ micOn: false, cameraOn: false });
    expect(setLocalMedia).toHaveBeenLastCalledWith({ audio: false, video: false, screen: false });
  });

  it('a new stream starts with the switches as they are', () => {
    const { media } = controller();
    media.toggleMute();
    const stream = fakeStream();
    media.setLocalStream(stream);
    expect(stream.getAudioTracks()[0]?.enabled).toBe(false);
    expect(stream.getVideoTracks()[0]?.enabled).toBe(true);
  });

  it('asks for the chosen devices and says when the browser is asked', async () => {
    const { media, devices } = controller();
    await media.selectDevice('videoinput', 'cam-2');
    const seen: boolean[] = [];
    media.on('change', (m) => seen.push(m.acquiring));
    await media.acquire();
    expect(devices.asked.at(-1)).toMatchObject({ videoDeviceId: 'cam-2', audioDeviceId: null });
    expect(seen).toEqual([true, false]);
    expect(media.snapshot.permission).toBe('granted');
  });

  it('says so when a camera is plugged in while it has a stream', async () => {
    const { media, devices, notices } = controller();
    const stop = media.followDevices();
    const cam0 = device('videoinput', 'cam-0', 'Built-in camera');
    devices.plug({ audioinput: [], videoinput: [cam0], audiooutput: [] });
    media.setLocalStream(fakeStream());
    devices.plug({
      audioinput: [],
      videoinput: [cam0, device('videoinput', 'cam-1', 'USB camera')],
      audiooutput: [],
    });
    await flush();
    expect(notices.map((n) => n.text)).toEqual([
      'New camera found: USB camera. You can switch in Devices.',
    ]);
    stop();
  });

  it('release stops the stream and resets the switches', () => {
    const { media } = controller();
    const stream = fakeStream();
    media.setLocalStream(stream);
    media.toggleMute();
    media.update({ remote: fakeStream() });
    media.release();
    expect(stream.getTracks().every((t) => vi.mocked(t.stop).mock.calls.length === 1)).toBe(true);
    expect(media.snapshot).toMatchObject({
      local: null,
      remote: null,
      micOn: true,
      cameraOn: true,
    });
  });

  it('screen sharing needs a peer connection', async () => {
    const devices = new FakeDevices();
    const display = vi.spyOn(devices, 'getDisplayMedia');
    const { media } = controller(null, devices);
    media.update({ screenShare: { supported: true, reason: null } });
    await media.toggleScreenShare();
    expect(display).not.toHaveBeenCalled();
    expect(media.snapshot.screenSharing).toBe(false);
  });

  it('goes on audio-only when the camera is refused but the microphone is not', async () => {
    const devices = new FakeDevices();
    devices.denyCamera = true;
    const setLocalMedia = vi.fn();
    const { media } = controller({ setLocalMedia }, devices);
    await media.acquire();
    expect(devices.asked.map((c) => c.video)).toEqual([true, false]);
    expect(media.snapshot).toMatchObject({ cameraOn: false, cameraProblem: 'blocked' });
    expect(setLocalMedia).toHaveBeenLastCalledWith({ audio: true, video: false, screen: false });
    media.toggleCamera(); // No camera to switch on.
    expect(media.snapshot.cameraOn).toBe(false);
    media.release();
    expect(media.snapshot).toMatchObject({ cameraOn: true, cameraProblem: null });
  });

  it('is an error only when the microphone cannot be had either', async () => {
    const { media } = controller(null, new FakeDevices('granted', true));
    await expect(media.acquire()).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(media.snapshot).toMatchObject({ acquiring: false, cameraProblem: null });
  });
});
