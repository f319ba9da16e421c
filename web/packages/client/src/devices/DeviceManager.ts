/**
 * Cameras and microphones: asking for them, listing them, noticing when one is plugged in or
 * pulled out. Framework-free; `useDevices` and the call client sit on top.
 */
import { ErrorCode, SwitchboardError } from '../errors';
import { TypedEmitter } from '../util/emitter';
import { getLogger } from '../util/logger';
import { withTimeout } from '../util/time';

const log = getLogger('devices');

export type PermissionStatus = 'granted' | 'denied' | 'prompt' | 'unknown';

export interface DeviceLists {
  audioinput: MediaDeviceInfo[];
  videoinput: MediaDeviceInfo[];
  audiooutput: MediaDeviceInfo[];
}

export interface MediaChoice {
  audio: boolean;
  video: boolean;
  audioDeviceId?: string | null;
  videoDeviceId?: string | null;
}

type DeviceEvents = {
  devices: (lists: DeviceLists) => void;
};

export interface ScreenShareSupport {
  supported: boolean;
  reason: string | null;
}

export class DeviceManager extends TypedEmitter<DeviceEvents> {
  private listsValue: DeviceLists = { audioinput: [], videoinput: [], audiooutput: [] };
  private listening = false;
  private readonly onDeviceChange = (): void => void this.refresh();

  get lists(): DeviceLists {
    return this.listsValue;
  }

  static get mediaDevices(): MediaDevices | null {
    return typeof navigator !== 'undefined' && navigator.mediaDevices
      ? navigator.mediaDevices
      : null;
  }

  /** What the browser will do when asked: 'granted' means no prompt will show. */
  async permission(): Promise<PermissionStatus> {
    try {
      const [cam, mic] = await Promise.all([
        navigator.permissions.query({ name: 'camera' }),
        navigator.permissions.query({ name: 'microphone' }),
      ]);
      if (cam.state === 'denied' || mic.state === 'denied') return 'denied';
      if (cam.state === 'granted' && mic.state === 'granted') return 'granted';
      return 'prompt';
    } catch {
      return 'unknown'; // Firefox and Safari do not know the names "camera"/"microphone" everywhere.
    }
  }

  async getUserMedia(choice: MediaChoice): Promise<MediaStream> {
    const md = DeviceManager.mediaDevices;
    if (!md?.getUserMedia) {
      throw new SwitchboardError({ code: ErrorCode.DeviceNotFound });
    }
    const constraints: MediaStreamConstraints = {
      audio: choice.audio
        ? {
            deviceId: choice.audioDeviceId ? { exact: choice.audioDeviceId } : undefined,
            echoCancellation: true,
            noiseSuppression: true,
          }
        : false,
      video: choice.video
        ? {
            deviceId: choice.videoDeviceId ? { exact: choice.videoDeviceId } : undefined,
            width: { ideal: 640 },
            height: { ideal: 480 },
          }
        : false,
    };
    try {
      const stream = await md.getUserMedia(constraints);
      log.info(
        `got media: ${stream
          .getTracks()
          .map((t) => `${t.kind}:${t.label || '?'}`)
          .join(', ')}`,
      );
      void this.refresh(); // Labels become readable once permission is granted.
      return stream;
    } catch (e) {
      const err = SwitchboardError.fromMediaError(e);
      // A device picked earlier may have gone: fall back to the default one once.
      if (err.code === ErrorCode.DeviceNotFound && (choice.audioDeviceId || choice.videoDeviceId)) {
        log.warn('chosen device missing, retrying with the defaults');
        return this.getUserMedia({ ...choice, audioDeviceId: null, videoDeviceId: null });
      }
      log.warn(`getUserMedia failed: ${err.code}`, { name: (e as Error)?.name });
      throw err;
    }
  }

  async refresh(): Promise<DeviceLists> {
    const md = DeviceManager.mediaDevices;
    if (!md?.enumerateDevices) return this.listsValue;
    const all = await md.enumerateDevices();
    const lists: DeviceLists = { audioinput: [], videoinput: [], audiooutput: [] };
    for (const d of all) {
      if (d.kind in lists) lists[d.kind].push(d);
    }
    this.listsValue = lists;
    this.emit('devices', lists);
    return lists;
  }

  /** Starts following `devicechange`; returns the stop function. */
  watch(): () => void {
    const md = DeviceManager.mediaDevices;
    if (md && !this.listening) {
      md.addEventListener('devicechange', this.onDeviceChange);
      this.listening = true;
      void this.refresh();
    }
    return () => this.unwatch();
  }

  unwatch(): void {
    DeviceManager.mediaDevices?.removeEventListener('devicechange', this.onDeviceChange);
    this.listening = false;
  }

  /** Whether this browser can share a screen, and if not, why (shown next to the hidden button). */
  static screenShareSupport(): ScreenShareSupport {
    const md = DeviceManager.mediaDevices;
    if (!md || typeof md.getDisplayMedia !== 'function') {
      const mobile =
        typeof navigator !== 'undefined' && /Android|iPhone|iPad|Mobile/i.test(navigator.userAgent);
      return {
        supported: false,
        reason: mobile
          ? 'Screen sharing is not available in mobile browsers.'
          : 'This browser cannot share the screen.',
      };
    }
    if (typeof window !== 'undefined' && !window.isSecureContext) {
      return { supported: false, reason: 'Screen sharing needs a secure (https) page.' };
    }
    return { supported: true, reason: null };
  }

  /** `getDisplayMedia` with a deadline: some browsers never settle it when no picker can show. */
  async getDisplayMedia(timeoutMs = 60_000): Promise<MediaStream> {
    const md = DeviceManager.mediaDevices;
    if (!md?.getDisplayMedia) throw SwitchboardError.fromMediaError({ name: 'NotFoundError' });
    try {
      return await withTimeout(
        md.getDisplayMedia({ video: true, audio: false }),
        timeoutMs,
        'getDisplayMedia',
      );
    } catch (e) {
      throw SwitchboardError.fromMediaError(e);
    }
  }
}

/** Stops every track of a stream. */
export function stopStream(stream: MediaStream | null | undefined): void {
  stream?.getTracks().forEach((t) => t.stop());
}
