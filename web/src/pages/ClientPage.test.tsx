// @vitest-environment happy-dom
/** The caller's page on a real client over fakes: each phase's screen, and what its buttons do. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeCall } from '../../packages/client/src/test/fakes';
import { FakeDevices, flush } from '../../packages/client/src/test/media';
import { click, get, render, updateAsync } from '../testing/render';
import { providerProps, shownStream, startPageClient, stopPageClient } from '../testing/pageClient';
import { ClientPage } from './ClientPage';

vi.mock('../providers/CallProvider/CallProvider', () => import('../testing/pageClient'));

const created = makeCall();
const accepted = makeCall({
  state: 'accepted',
  version: 2,
  staff: { id: 'st-1', name: 'Ana' },
  accepted_at: '2026-11-23T21:00:05.000Z',
});

/** Lets the client's promises (devices, fetch) run and React apply what they caused. */
const settle = () =>
  updateAsync(async () => {
    for (let i = 0; i < 5; i++) await flush();
  });

const byId = (root: ParentNode, id: string) => root.querySelector(`[data-testid=${id}]`);
const textOf = (root: ParentNode, id: string) => get(root, `[data-testid=${id}]`).textContent;

async function clickAndSettle(el: Element | null): Promise<void> {
  click(el);
  await settle();
}

/** The page, welcomed by the server, with `POST /calls` answering `created`. */
async function openPage(devices = new FakeDevices(), routes = {}) {
  const page = startPageClient(
    'client',
    { 'POST /calls': { status: 201, body: created }, ...routes },
    devices,
  );
  const view = render(<ClientPage />);
  await updateAsync(async () => {
    page.ws.welcome();
    await flush();
  });
  await settle();
  return { ...page, view, root: view.container };
}

describe('ClientPage', () => {
  afterEach(stopPageClient);

  it('asks its provider for a client-role client', async () => {
    await openPage();
    expect(providerProps.map((p) => p.role)).toContain('client');
  });

  it('idle: the hero is the page title, with a Call button and no offline note once online', async () => {
    const { root } = await openPage();
    expect(get(root, '[data-testid=client-page]').dataset.phase).toBe('idle');
    const h1s = [...root.querySelectorAll('h1')].map((h) => h.textContent);
    expect(h1s).toEqual(['Talk to us face to face']); // No extra sr-only h1 on this screen.
    expect(textOf(root, 'call-button')).toContain('Call');
    expect(textOf(root, 'connection-state')).toBe('Online');
    expect(root.textContent).not.toContain('Connecting to the service');
    expect(byId(root, 'client-error')).toBeNull();
  });

  it('says it is connecting before the welcome, and offline once the server refuses the token', async () => {
    const { ws } = startPageClient('client');
    const { container: root } = render(<ClientPage />);
    expect(root.textContent).toContain('Connecting to the service…');
    await updateAsync(async () => ws.serverClose(4001, 'bad token'));
    expect(root.textContent).toContain('You are offline. Sign in again to call.');
    expect(textOf(root, 'connection-state')).toBe('Offline');
  });

  it('with permission granted, Call places the call at once and shows the ringing screen', async () => {
    const { root, requests, devices, client } = await openPage();
    await clickAndSettle(byId(root, 'call-button'));
    expect(devices.asked).toEqual([
      { audio: true, video: true, audioDeviceId: null, videoDeviceId: null },
    ]);
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/calls']);
    expect(get(root, '[data-testid=calling]').dataset.phase).toBe('ringing');
    expect(get(root, '#calling-title').textContent).toBe('Calling…');
    expect(root.textContent).toContain('We are ringing our team. Someone will answer shortly.');
    const local = client.getMediaSnapshot().local;
    expect(local).not.toBeNull();
    expect(shownStream(byId(root, 'local-preview'))).toBe(local); // The caller sees themself.
    expect(textOf(root, 'hangup-button')).toContain('Cancel call');
    // Every screen but the idle one keeps a level-one heading for screen readers.
    expect(get(root, 'h1').textContent).toBe('Video call');
  });

  it('while ringing: how long it has rung, and a ringing-tone switch remembered in this browser', async () => {
    localStorage.removeItem('switchboard.ringback');
    const { root } = await openPage(new FakeDevices(), {
      'POST /calls': { status: 201, body: makeCall({ created_at: new Date().toISOString() }) },
    });
    await clickAndSettle(byId(root, 'call-button'));
    expect(textOf(root, 'calling-elapsed')).toMatch(/^Ringing for 0:0\d$/);
    const toggle = get(root, '[data-testid=ringback-toggle]');
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    await clickAndSettle(toggle);
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    expect(toggle.textContent).toBe('Ringing tone off');
    expect(localStorage.getItem('switchboard.ringback')).toBe('off');
    localStorage.removeItem('switchboard.ringback');
  });

  it("a transfer's new call says whom it rings", async () => {
    const { root } = await openPage(new FakeDevices(), {
      'POST /calls': {
        status: 201,
        body: makeCall({ transferred_from: 'call-0', transfer_target: { id: 'ben', name: 'Ben' } }),
      },
    });
    await clickAndSettle(byId(root, 'call-button'));
    expect(get(root, '#calling-title').textContent).toBe('Transferring you to Ben…');
    expect(root.textContent).toContain('We are ringing Ben.');
  });

  it('shows "Starting your call…" while the call is being created', async () => {
    let answer!: (r: { status: number; body: unknown }) => void;
    const pending = new Promise<{ status: number; body: unknown }>((r) => (answer = r));
    const { root } = await openPage(new FakeDevices(), { 'POST /calls': () => pending });
    await clickAndSettle(byId(root, 'call-button'));
    expect(get(root, '[data-testid=calling]').dataset.phase).toBe('placing');
    expect(get(root, '#calling-title').textContent).toBe('Starting your call…');
    expect(root.textContent).toContain('Connecting you to our team.');
    answer({ status: 201, body: created });
    await settle();
    expect(get(root, '#calling-title').textContent).toBe('Calling…');
  });

  it('shows "Starting your camera…" while the browser is still giving the camera', async () => {
    const devices = new FakeDevices();
    let give!: (s: MediaStream) => void;
    const stream = new Promise<MediaStream>((r) => (give = r));
    const getUserMedia = vi.spyOn(devices, 'getUserMedia').mockReturnValueOnce(stream);
    const { root } = await openPage(devices);
    await clickAndSettle(byId(root, 'call-button'));
    expect(getUserMedia).toHaveBeenCalledOnce();
    expect(get(root, '[data-testid=permission-waiting]').textContent).toContain(
      'Starting your camera…',
    );
    getUserMedia.mockRestore();
    give(await devices.getUserMedia({ audio: true, video: true }));
    await settle();
    expect(get(root, '#calling-title').textContent).toBe('Calling…');
  });

  it('Cancel call cancels the ringing call on the server', async () => {
    const cancelled = makeCall({ state: 'cancelled', version: 2, end_reason: 'caller_cancelled' });
    const { root, requests } = await openPage(new FakeDevices(), {
      'POST /calls/call-1/cancel': { status: 200, body: cancelled },
    });
    await clickAndSettle(byId(root, 'call-button'));
    await clickAndSettle(byId(root, 'hangup-button'));
    expect(requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /calls/call-1/cancel');
    expect(textOf(root, 'summary-headline')).toBe('Call cancelled');
  });

  describe('permission prompts', () => {
    it('explains before the browser asks; Allow asks for the devices and places the call', async () => {
      const devices = new FakeDevices('prompt');
      const { root, requests } = await openPage(devices);
      await clickAndSettle(byId(root, 'call-button'));
      const prompt = get(root, '[data-testid=permission-explain]');
      expect(prompt.textContent).toContain(
        'To start your video call, we need your camera and microphone.',
      );
      expect(devices.asked).toEqual([]); // Not asked before the explanation.
      const allow = [...prompt.querySelectorAll('button')].find(
        (b) => b !== byId(root, 'permission-cancel'),
      );
      await clickAndSettle(allow ?? null);
      expect(devices.asked).toHaveLength(1);
      expect(requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /calls');
      expect(get(root, '#calling-title').textContent).toBe('Calling…');
    });

    it('cancelling the explanation goes back to the idle page without asking', async () => {
      const devices = new FakeDevices('prompt');
      const { root, requests } = await openPage(devices);
      await clickAndSettle(byId(root, 'call-button'));
      await clickAndSettle(byId(root, 'permission-cancel'));
      expect(byId(root, 'client-idle')).not.toBeNull();
      expect(devices.asked).toEqual([]);
      expect(requests.some((r) => r.method === 'POST')).toBe(false);
    });

    it('after a refusal explains how to allow; Try again retries and places the call', async () => {
      const devices = new FakeDevices('prompt', true);
      const { root, requests } = await openPage(devices);
      await clickAndSettle(byId(root, 'call-button'));
      await clickAndSettle(
        get(root, '[data-testid=permission-explain]').querySelector('.btn--primary'),
      );
      const denied = get(root, '[data-testid=permission-denied]');
      expect(denied.getAttribute('role')).toBe('alert');
      expect(denied.textContent).toContain('To talk to us by video:');
      expect(requests.some((r) => r.method === 'POST')).toBe(false);
      devices.deny = false; // The person allowed the camera in the browser's settings.
      await clickAndSettle(byId(root, 'permission-retry'));
      // The refusal asked twice (with the camera, then the microphone alone); the retry once.
      expect(devices.asked).toHaveLength(3);
      expect(requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /calls');
      expect(get(root, '#calling-title').textContent).toBe('Calling…');
    });

    it('"Not now" after a refusal goes back to the idle page with no error left', async () => {
      const devices = new FakeDevices('prompt', true);
      const { root } = await openPage(devices);
      await clickAndSettle(byId(root, 'call-button'));
      await clickAndSettle(
        get(root, '[data-testid=permission-explain]').querySelector('.btn--primary'),
      );
      const notNow = [
        ...get(root, '[data-testid=permission-denied]').querySelectorAll('button'),
      ].find((b) => b.textContent === 'Not now');
      await clickAndSettle(notNow ?? null);
      expect(byId(root, 'client-idle')).not.toBeNull();
      expect(byId(root, 'client-error')).toBeNull();
    });
  });

  it('a call that could not be created shows the error on the idle page; Call tries again', async () => {
    const refused = { error: { code: 'no_staff_available', message: 'No staff', retryable: true } };
    const { root, requests } = await openPage(new FakeDevices(), {
      'POST /calls': [
        { status: 503, body: refused },
        { status: 201, body: created },
      ],
    });
    await clickAndSettle(byId(root, 'call-button'));
    const error = get(root, '[data-testid=client-error]');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).not.toBe('');
    expect(byId(root, 'client-idle')).not.toBeNull();
    await clickAndSettle(byId(root, 'call-button'));
    expect(requests.filter((r) => r.path === '/calls')).toHaveLength(2);
    expect(byId(root, 'client-error')).toBeNull();
    expect(get(root, '#calling-title').textContent).toBe('Calling…');
  });

  it('in the call: the room with the staff member, whose controls reach the client', async () => {
    const ended = makeCall({ ...accepted, state: 'ended', version: 3, end_reason: 'hangup' });
    const { root, ws, client, requests } = await openPage(new FakeDevices(), {
      'POST /calls/call-1/end': { status: 200, body: ended },
    });
    await clickAndSettle(byId(root, 'call-button'));
    await updateAsync(async () => {
      ws.serverSend({ type: 'call.updated', call: accepted });
      await flush();
    });
    const roomEl = get(root, '[data-testid=call-room]');
    expect(roomEl.getAttribute('aria-label')).toBe('Call with Ana');
    expect(get(root, 'main').className).toContain('main--wide');
    expect(client.getMediaSnapshot().micOn).toBe(true);
    await clickAndSettle(byId(root, 'mute-button'));
    expect(client.getMediaSnapshot().micOn).toBe(false);
    await clickAndSettle(byId(root, 'camera-button'));
    expect(client.getMediaSnapshot().cameraOn).toBe(false);
    await clickAndSettle(get(roomEl, '[data-testid=hangup-button]'));
    expect(requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /calls/call-1/end');
  });

  describe('after the call', () => {
    it('a call nobody answered offers Call again, which places a new call', async () => {
      const { root, ws, requests } = await openPage();
      await clickAndSettle(byId(root, 'call-button'));
      const missed = makeCall({ state: 'missed', version: 2, end_reason: 'ring_timeout' });
      await updateAsync(async () => {
        ws.serverSend({ type: 'call.updated', call: missed });
        await flush();
      });
      expect(textOf(root, 'summary-headline')).toBe('Nobody answered');
      expect(textOf(root, 'summary-close')).toBe('Back');
      await clickAndSettle(byId(root, 'summary-retry'));
      expect(requests.filter((r) => r.method === 'POST' && r.path === '/calls')).toHaveLength(2);
      expect(get(root, '[data-testid=client-page]').dataset.phase).toBe('ringing');
    });

    it('a call that took place is rated through the client; Back returns to the idle page', async () => {
      const ended = makeCall({
        ...accepted,
        state: 'ended',
        version: 4,
        end_reason: 'hangup',
        active_at: '2026-11-23T21:00:10.000Z',
        ended_at: '2026-11-23T21:01:10.000Z',
      });
      const { root, ws, requests } = await openPage(new FakeDevices(), {
        'GET /calls/call-1': { status: 200, body: ended },
        'POST /calls/call-1/feedback': { status: 200, body: {} },
      });
      await clickAndSettle(byId(root, 'call-button'));
      await updateAsync(async () => {
        ws.serverSend({ type: 'call.updated', call: accepted });
        ws.serverSend({ type: 'call.updated', call: ended });
        await flush();
      });
      await settle();
      expect(textOf(root, 'summary-headline')).toBe('Call ended');
      expect(textOf(root, 'summary-who')).toBe('Ana');
      expect(byId(root, 'summary-retry')).toBeNull(); // The call took place: no "Call again".
      await clickAndSettle(byId(root, 'rate-4'));
      await clickAndSettle(byId(root, 'rate-submit'));
      const feedback = requests.find((r) => r.path === '/calls/call-1/feedback');
      expect(feedback?.body).toEqual({ score: 4, issues: [] });
      expect(byId(root, 'feedback-thanks')).not.toBeNull();
      await clickAndSettle(byId(root, 'summary-close'));
      expect(byId(root, 'client-idle')).not.toBeNull();
    });
  });

  it('"Check my camera and microphone first" opens the device check; Done closes it', async () => {
    const { root } = await openPage();
    await clickAndSettle(byId(root, 'check-devices'));
    expect(textOf(root, 'device-check-card')).toContain('Check your camera and microphone');
    expect(byId(root, 'client-idle')).toBeNull();
    await clickAndSettle(byId(root, 'device-check-done'));
    expect(byId(root, 'client-idle')).not.toBeNull();
    expect(byId(root, 'device-check-card')).toBeNull();
  });
});
