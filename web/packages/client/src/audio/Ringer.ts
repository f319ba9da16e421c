/**
 * The staff ringtone. Browsers refuse to play sound before a user gesture, so `unlock()` must be
 * called from a click (the staff console's "Go available"). When the same person has several tabs
 * open, only one rings: a Web Lock elects the audible tab, and when that tab closes or stops
 * ringing the lock passes to the next one still ringing. When the tab is hidden (when ringing
 * starts, or later while it rings), a system notification is shown too: once per call (the
 * notification tag is the call id).
 */
import { TypedEmitter } from '../util/emitter';
import { getLogger } from '../util/logger';

const log = getLogger('ringer');

export type RingerState =
  /** Not ringing. */
  | 'silent'
  /** Ringing and this tab plays the sound. */
  | 'audible'
  /** Ringing, but another tab plays the sound. */
  | 'other-tab'
  /** Ringing, but the browser blocks sound until the person clicks in the page. */
  | 'blocked';

export interface RingInfo {
  callId: string;
  title: string;
  body: string;
}

type RingerEvents = {
  state: (s: RingerState) => void;
  /** Whether the browser lets this tab play the ringtone (false until a click or a key press). */
  soundAllowed: (allowed: boolean) => void;
  notificationClick: (callId: string) => void;
};

export interface RingerOptions {
  src: string;
  lockName?: string;
}

export class Ringer extends TypedEmitter<RingerEvents> {
  private readonly audio: HTMLAudioElement | null;
  private readonly lockName: string;
  private unlockedValue = false;
  private ringing: RingInfo | null = null;
  private abort: AbortController | null = null;
  private release: (() => void) | null = null;
  private stateValue: RingerState = 'silent';
  private readonly notifications = new Map<string, Notification>();
  /** Calls a notification was shown for, so hiding the tab again does not repeat it. */
  private readonly notified = new Set<string>();
  private watchingVisibility = false;
  private readonly onVisibility = (): void => {
    if (this.ringing && document.visibilityState === 'hidden') this.notify(this.ringing);
  };

  constructor(opts: RingerOptions) {
    super();
    this.lockName = opts.lockName ?? 'switchboard-ringtone';
    this.audio = typeof Audio !== 'undefined' ? new Audio(opts.src) : null;
    if (this.audio) {
      this.audio.loop = true;
      this.audio.preload = 'auto';
    }
  }

  get state(): RingerState {
    return this.stateValue;
  }

  get unlocked(): boolean {
    return this.unlockedValue;
  }

  /**
   * Asks the browser, without a gesture, whether sound may play: an unmuted play at volume 0,
   * stopped at once (a muted play would always be allowed and so tell nothing). After a reload
   * the answer is usually no, and the page must ask for a click (`unlock`).
   */
  async probe(): Promise<boolean> {
    if (!this.audio || this.unlockedValue || this.ringing) return this.unlockedValue;
    const volume = this.audio.volume;
    try {
      this.audio.volume = 0;
      await this.audio.play();
      this.audio.pause();
      this.audio.currentTime = 0;
      this.setUnlocked(true);
      if (this.ringing && this.stateValue === 'blocked') this.startSound();
    } catch {
      log.info('sound needs a click first (autoplay policy)');
    } finally {
      this.audio.volume = volume;
    }
    return this.unlockedValue;
  }

  /** Call from a user gesture: primes the audio element so later `play()` calls are allowed. */
  async unlock(): Promise<boolean> {
    if (!this.audio) return false;
    try {
      this.audio.muted = true;
      await this.audio.play();
      this.audio.pause();
      this.audio.currentTime = 0;
      this.audio.muted = false;
      this.setUnlocked(true);
      log.info('ringtone unlocked');
    } catch (e) {
      this.audio.muted = false;
      log.warn('ringtone could not be unlocked', { error: String(e) });
    }
    if (typeof Notification !== 'undefined' && Notification.permission === 'default') {
      void Notification.requestPermission().catch(() => undefined);
    }
    if (this.ringing && this.stateValue === 'blocked') this.startSound();
    return this.unlockedValue;
  }

  /** Starts ringing for `info` (no-op when already ringing). */
  ring(info: RingInfo): void {
    this.notify(info);
    if (this.ringing) {
      this.ringing = info;
      return;
    }
    this.ringing = info;
    this.watchVisibility(true);
    this.startSound();
  }

  stop(): void {
    if (!this.ringing) return;
    this.ringing = null;
    this.watchVisibility(false);
    this.abort?.abort();
    this.abort = null;
    this.release?.();
    this.release = null;
    this.pause();
    for (const n of this.notifications.values()) n.close();
    this.notifications.clear();
    this.setState('silent');
  }

  /** Closes the notification of a call that stopped ringing (answered elsewhere, missed...). */
  clearNotification(callId: string): void {
    this.notifications.get(callId)?.close();
    this.notifications.delete(callId);
  }

  private startSound(): void {
    if (!this.unlockedValue || !this.audio) {
      this.setState('blocked');
      return;
    }
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (!locks) {
      void this.play();
      return;
    }
    this.setState('other-tab');
    const abort = new AbortController();
    this.abort = abort;
    locks
      .request(this.lockName, { signal: abort.signal }, async () => {
        if (!this.ringing || abort.signal.aborted) return;
        const ok = await this.play();
        if (!ok) return; // Let another tab that can play have the lock.
        await new Promise<void>((resolve) => {
          this.release = resolve;
        });
      })
      .catch((e: unknown) => {
        if ((e as Error)?.name !== 'AbortError')
          log.warn('ringtone lock failed', { error: String(e) });
      });
  }

  private async play(): Promise<boolean> {
    if (!this.audio || !this.ringing) return false;
    try {
      this.audio.currentTime = 0;
      await this.audio.play();
      this.setState('audible');
      return true;
    } catch (e) {
      // AbortError: our own stop() paused it while play() was starting; not a refusal.
      if ((e as Error)?.name === 'AbortError' || !this.ringing) return false;
      log.warn('ringtone blocked by the browser', { error: String(e) });
      this.setUnlocked(false);
      this.setState('blocked');
      return false;
    }
  }

  private pause(): void {
    if (!this.audio) return;
    this.audio.pause();
    this.audio.currentTime = 0;
  }

  /** While ringing: a tab hidden after the ring began gets its notification then. */
  private watchVisibility(on: boolean): void {
    if (typeof document === 'undefined' || on === this.watchingVisibility) return;
    this.watchingVisibility = on;
    if (on) document.addEventListener('visibilitychange', this.onVisibility);
    else document.removeEventListener('visibilitychange', this.onVisibility);
  }

  private notify(info: RingInfo): void {
    if (typeof document === 'undefined' || document.visibilityState !== 'hidden') return;
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    if (this.notified.has(info.callId)) return;
    this.notified.add(info.callId);
    // Bounded: only the latest calls matter (a call rings once).
    const oldest = this.notified.values().next();
    if (this.notified.size > 100 && !oldest.done) this.notified.delete(oldest.value);
    try {
      const n = new Notification(info.title, {
        body: info.body,
        tag: info.callId,
        requireInteraction: true,
      });
      n.onclick = () => {
        window.focus();
        this.emit('notificationClick', info.callId);
        n.close();
      };
      this.notifications.set(info.callId, n);
    } catch (e) {
      log.debug('notification failed', { error: String(e) });
    }
  }

  private setUnlocked(on: boolean): void {
    if (on === this.unlockedValue) return;
    this.unlockedValue = on;
    this.emit('soundAllowed', on);
  }

  private setState(s: RingerState): void {
    if (s === this.stateValue) return;
    this.stateValue = s;
    this.emit('state', s);
  }

  dispose(): void {
    this.stop();
    this.removeAllListeners();
  }
}
