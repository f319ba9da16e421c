/** The ringtone's rules with a fake <audio> and a fake Web Locks shared by "tabs". */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ringer, type RingerState } from './Ringer';

class FakeAudio {
  static refuse = false;
  loop = false;
  preload = '';
  muted = false;
  currentTime = 0;
  playing = false;
  constructor(public src: string) {}
  play(): Promise<void> {
    if (FakeAudio.refuse)
      return Promise.reject(Object.assign(new Error('no gesture'), { name: 'NotAllowedError' }));
    this.playing = true;
    return Promise.resolve();
  }
  pause(): void {
    this.playing = false;
  }
}

/** navigator.locks for one origin: exclusive, FIFO, abortable while waiting. */
function fakeLocks() {
  const queues = new Map<
    string,
    { run: () => Promise<void>; signal?: AbortSignal; reject: (e: unknown) => void }[]
  >();
  const held = new Set<string>();
  const next = (name: string): void => {
    if (held.has(name)) return;
    const q = queues.get(name) ?? [];
    const item = q.shift();
    if (!item) return;
    held.add(name);
    void item.run().finally(() => {
      held.delete(name);
      next(name);
    });
  };
  return {
    request(name: string, opts: { signal?: AbortSignal }, cb: () => Promise<void>): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        const item = { run: () => cb().then(resolve, reject), signal: opts.signal, reject };
        const q = queues.get(name) ?? [];
        q.push(item);
        queues.set(name, q);
        opts.signal?.addEventListener('abort', () => {
          const i = q.indexOf(item);
          if (i >= 0) {
            q.splice(i, 1);
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          }
        });
        next(name);
      });
    },
  };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};
const info = { callId: 'c1', title: 'Carla is calling', body: 'x' };

describe('Ringer', () => {
  beforeEach(() => {
    FakeAudio.refuse = false;
    vi.stubGlobal('Audio', FakeAudio);
    vi.stubGlobal('navigator', { locks: fakeLocks() });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('is blocked until unlocked by a click', async () => {
    const r = new Ringer({ src: '/ringtone.wav' });
    r.ring(info);
    expect(r.state).toBe('blocked');
    await r.unlock();
    await settle();
    expect(r.state).toBe('audible');
  });

  it('asks the browser without a gesture whether sound may play, and says when it may', async () => {
    FakeAudio.refuse = true; // After a reload: no click yet.
    const r = new Ringer({ src: '/ringtone.wav' });
    const allowed: boolean[] = [];
    r.on('soundAllowed', (a) => allowed.push(a));
    expect(await r.probe()).toBe(false);
    expect(r.unlocked).toBe(false);
    FakeAudio.refuse = false; // The click.
    await r.unlock();
    expect(allowed).toEqual([true]);
    const trusted = new Ringer({ src: '/ringtone.wav' }); // A browser that allows sound at once.
    expect(await trusted.probe()).toBe(true);
  });

  it('rings in exactly one tab, and hands over when that tab stops', async () => {
    const tab1 = new Ringer({ src: '/ringtone.wav' });
    const tab2 = new Ringer({ src: '/ringtone.wav' });
    await tab1.unlock();
    await tab2.unlock();
    tab1.ring(info);
    tab2.ring(info);
    await settle();
    const states: RingerState[] = [tab1.state, tab2.state];
    expect(states.sort()).toEqual(['audible', 'other-tab']);
    const [audible, other] = tab1.state === 'audible' ? [tab1, tab2] : [tab2, tab1];
    audible.dispose(); // The audible tab closes.
    await settle();
    expect(other.state).toBe('audible');
    other.stop();
    await settle();
    expect(other.state).toBe('silent');
  });

  it('falls back to "blocked" when the browser refuses to play', async () => {
    const r = new Ringer({ src: '/ringtone.wav' });
    await r.unlock();
    FakeAudio.refuse = true;
    r.ring(info);
    await settle();
    expect(r.state).toBe('blocked');
  });

  describe('system notification', () => {
    /** A document whose visibility the test flips, and a Notification that records what shows. */
    function page(visibility: 'visible' | 'hidden') {
      const doc = Object.assign(new EventTarget(), { visibilityState: visibility });
      const shown: { title: string; tag?: string }[] = [];
      class FakeNotification {
        static permission = 'granted';
        static requestPermission = () => Promise.resolve('granted');
        onclick: (() => void) | null = null;
        constructor(title: string, options?: NotificationOptions) {
          shown.push({ title, tag: options?.tag });
        }
        close(): void {}
      }
      vi.stubGlobal('document', doc);
      vi.stubGlobal('Notification', FakeNotification);
      const hide = (state: 'visible' | 'hidden') => {
        doc.visibilityState = state;
        doc.dispatchEvent(new Event('visibilitychange'));
      };
      return { shown, hide };
    }

    it('shows when the tab is hidden as ringing starts', () => {
      const { shown } = page('hidden');
      new Ringer({ src: '/ringtone.wav' }).ring(info);
      expect(shown).toEqual([{ title: 'Carla is calling', tag: 'c1' }]);
    });

    it('shows when the tab is hidden after ringing began, once per call', () => {
      const { shown, hide } = page('visible');
      const r = new Ringer({ src: '/ringtone.wav' });
      r.ring(info);
      expect(shown).toHaveLength(0); // Visible: the modal and the sound are enough.
      hide('hidden');
      expect(shown).toEqual([{ title: 'Carla is calling', tag: 'c1' }]);
      hide('visible');
      hide('hidden');
      r.ring(info); // The same call again (another incoming update).
      expect(shown).toHaveLength(1);
      // A different call ringing next gets its own.
      r.ring({ callId: 'c2', title: 'Dave is calling', body: 'x' });
      expect(shown.map((n) => n.tag)).toEqual(['c1', 'c2']);
    });

    it('does not show once ringing stopped', () => {
      const { shown, hide } = page('visible');
      const r = new Ringer({ src: '/ringtone.wav' });
      r.ring(info);
      r.stop();
      hide('hidden');
      expect(shown).toHaveLength(0);
    });
  });

  it('stops at once when the call stops ringing', async () => {
    const r = new Ringer({ src: '/ringtone.wav' });
    await r.unlock();
    r.ring(info);
    await settle();
    r.stop();
    expect(r.state).toBe('silent');
  });
});
