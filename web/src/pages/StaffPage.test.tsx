// @vitest-environment happy-dom
/** The staff console on a real client over fakes: status, the team, ringing, the call, history. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ringer, type Call } from '@switchboard/client';
import { staffUser } from '../../packages/client/src/test/client';
import { makeCall, makeStaff, type FakeRoute } from '../../packages/client/src/test/fakes';
import { FakeDevices, flush } from '../../packages/client/src/test/media';
import { click, get, render, updateAsync } from '../testing/render';
import { providerProps, startPageClient, stopPageClient } from '../testing/pageClient';
import { StaffPage } from './StaffPage';

vi.mock('../providers/CallProvider/CallProvider', () => import('../testing/pageClient'));

/** A call ringing now (the SDK stops ringing at the deadline, so it must lie ahead). */
function ringingCall(over: Partial<Call> = {}): Call {
  return makeCall({
    created_at: new Date().toISOString(),
    ring_deadline: new Date(Date.now() + 45_000).toISOString(),
    ...over,
  });
}

const settle = () =>
  updateAsync(async () => {
    for (let i = 0; i < 5; i++) await flush();
  });
/** Past the recent-calls list's 150 ms debounce. */
const afterDebounce = () => updateAsync(() => new Promise((r) => setTimeout(r, 350)));

const byId = (root: ParentNode, id: string) => root.querySelector(`[data-testid=${id}]`);
const textOf = (root: ParentNode, id: string) => get(root, `[data-testid=${id}]`).textContent;
const posts = (requests: { method: string; path: string }[]) =>
  requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

async function clickAndSettle(el: Element | null): Promise<void> {
  click(el);
  await settle();
}

async function openConsole(
  routes: Record<string, FakeRoute | FakeRoute[] | (() => Promise<FakeRoute>)> = {},
  devices = new FakeDevices(),
) {
  const page = startPageClient(
    'staff',
    { 'GET /calls?limit=10': { status: 200, body: { calls: [], next: null } }, ...routes },
    devices,
  );
  const view = render(<StaffPage />);
  await updateAsync(async () => {
    page.ws.welcome(staffUser);
    await flush();
  });
  await settle();
  return { ...page, root: view.container };
}

async function serverSends(ws: { serverSend: (m: unknown) => void }, ...messages: unknown[]) {
  await updateAsync(async () => {
    for (const m of messages) ws.serverSend(m);
    await flush();
  });
  await settle();
}

describe('StaffPage', () => {
  let unlock: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    unlock = vi.fn(() => Promise.resolve(true));
    // As after a reload: the browser refuses sound until a click or a key press.
    vi.spyOn(HTMLMediaElement.prototype, 'play').mockRejectedValue(
      Object.assign(new Error('no gesture yet'), { name: 'NotAllowedError' }),
    );
  });
  afterEach(() => stopPageClient());

  /** The ringtone's unlock, watched (stopPageClient restores it). */
  const watchUnlock = () => vi.spyOn(Ringer.prototype, 'unlock').mockImplementation(unlock);

  it('asks its provider for a staff-role client and follows the board', async () => {
    const { ws } = await openConsole();
    expect(providerProps.map((p) => p.role)).toContain('staff');
    expect(ws.sent.find((m) => m.type === 'subscribe')).toMatchObject({ topic: 'board' });
  });

  describe('availability', () => {
    it('starts not taking calls, with "Go available" as the action', async () => {
      const { root } = await openConsole();
      expect(get(root, '#waiting-title').textContent).toBe('You are not taking calls');
      expect(textOf(root, 'my-status')).toBe('Not taking calls');
      expect(byId(root, 'my-state')).toBeNull();
      expect((byId(root, 'go-available') as HTMLButtonElement).disabled).toBe(false);
      expect(byId(root, 'go-away')).toBeNull();
    });

    it('cannot change status while offline, and says why', async () => {
      const { ws } = startPageClient('staff');
      const { container: root } = render(<StaffPage />);
      expect((byId(root, 'go-available') as HTMLButtonElement).disabled).toBe(true);
      expect(root.textContent).toContain('You need to be online to take calls.');
      await updateAsync(async () => ws.welcome(staffUser));
      expect((byId(root, 'go-available') as HTMLButtonElement).disabled).toBe(false);
      expect(root.textContent).not.toContain('You need to be online');
    });

    it('"Go available" unlocks the ringtone, checks the devices, and puts the server status', async () => {
      const { root, requests, devices } = await openConsole({
        'PUT /staff/me/availability': [
          { status: 200, body: makeStaff('st-me', { name: 'Me' }) },
          { status: 200, body: makeStaff('st-me', { name: 'Me', status: 'away' }) },
        ],
      });
      watchUnlock();
      await clickAndSettle(byId(root, 'go-available'));
      expect(unlock).toHaveBeenCalled();
      expect(devices.asked).toEqual([{ audio: true, video: true }]);
      const put = requests.find((r) => r.method === 'PUT');
      expect(put).toMatchObject({ path: '/staff/me/availability', body: { status: 'available' } });
      expect(textOf(root, 'my-status')).toBe('Available');
      expect(textOf(root, 'my-state')).toBe('Waiting for calls');
      expect(get(root, '#waiting-title').textContent).toBe('Waiting for calls');
      expect(root.textContent).toContain('Incoming calls ring here. Keep this tab open.');

      devices.asked.length = 0;
      await clickAndSettle(byId(root, 'go-away'));
      expect(requests.filter((r) => r.method === 'PUT').at(-1)?.body).toEqual({ status: 'away' });
      expect(devices.asked).toEqual([]); // Going away needs no devices.
      expect(textOf(root, 'my-status')).toBe('Away');
      expect(byId(root, 'go-available')).not.toBeNull();
    });

    it('a refused status change says so, and the status stays as it was', async () => {
      const { root } = await openConsole({
        'PUT /staff/me/availability': {
          status: 503,
          body: { error: { code: 'unavailable', message: 'Try later', retryable: true } },
        },
      });
      await clickAndSettle(byId(root, 'go-available'));
      const alert = get(root, '[data-testid=availability] [role=alert]');
      expect(alert.textContent).not.toBe('');
      expect(textOf(root, 'my-status')).toBe('Not taking calls');
      expect((byId(root, 'go-available') as HTMLButtonElement).disabled).toBe(false);
    });

    it('blocked devices do not stop going available, but the page says calls need them', async () => {
      const { root, requests } = await openConsole(
        { 'PUT /staff/me/availability': { status: 200, body: makeStaff('st-me') } },
        new FakeDevices('granted', true),
      );
      await clickAndSettle(byId(root, 'go-available'));
      expect(requests.some((r) => r.method === 'PUT')).toBe(true);
      expect(textOf(root, 'my-status')).toBe('Available');
      expect(get(root, '[data-testid=availability]').textContent).toContain(
        'You can still go available, but calls need a camera or microphone.',
      );
    });

    it('the board keeps the status and the team list current, marking "(you)"', async () => {
      const { root, ws } = await openConsole();
      await serverSends(ws, {
        type: 'board',
        staff: [
          makeStaff('st-me', { name: 'Me', state: 'in_call' }),
          makeStaff('st-ana', { name: 'Ana', status: 'away' }),
          makeStaff('st-bo', { name: 'Bo', connected: false }),
        ],
        queue: { length: 0 },
        seq: 1,
      });
      expect(textOf(root, 'my-status')).toBe('Available');
      expect(textOf(root, 'my-state')).toBe('In a call');
      const rows = [...root.querySelectorAll('.team__list li')].map((li) => li.textContent);
      expect(rows).toEqual(['Me (you)Available · In a call', 'AnaAway', 'BoOffline']);
    });
  });

  describe('an incoming call', () => {
    it('rings in a dialog that takes the keyboard focus, and says when sound is blocked', async () => {
      const { root, ws } = await openConsole();
      expect(get(root, '[data-testid=staff-page]').dataset.ringtone).toBe('silent');
      await serverSends(ws, { type: 'call.incoming', call: ringingCall() });
      expect(textOf(root, 'incoming-caller')).toContain('Carla');
      expect(document.activeElement).toBe(byId(root, 'accept-button'));
      // Nobody clicked yet, so the browser would refuse the sound: the page asks for a click.
      expect(get(root, '[data-testid=staff-page]').dataset.ringtone).toBe('blocked');
      expect(root.textContent).toContain('The browser is keeping the ringtone silent.');
      expect(byId(root, 'incoming-enable-sound')?.textContent).toBe('Turn on sound');
    });

    it('says sound is off to an available staff member after a reload, with a button for it', async () => {
      const { root, ws } = await openConsole();
      await serverSends(ws, {
        type: 'board',
        staff: [makeStaff('st-me', { name: 'Me' })],
        queue: { length: 0 },
        seq: 1,
      });
      expect(get(root, '[data-testid=staff-page]').dataset.sound).toBe('blocked');
      expect(textOf(root, 'sound-banner')).toContain('Sound is off.');
      watchUnlock();
      await clickAndSettle(byId(root, 'enable-sound'));
      expect(unlock).toHaveBeenCalled();
    });

    it('a key press unlocks the ringtone too (keyboard users)', async () => {
      await openConsole();
      watchUnlock();
      await updateAsync(async () => {
        document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', bubbles: true }));
      });
      expect(unlock).toHaveBeenCalledOnce();
    });

    it('a click anywhere unlocks the ringtone', async () => {
      const { root } = await openConsole();
      watchUnlock();
      await updateAsync(async () => {
        document.body.dispatchEvent(new Event('pointerdown', { bubbles: true }));
      });
      expect(unlock).toHaveBeenCalledOnce();
      expect(byId(root, 'staff-page')).not.toBeNull();
    });

    it('Decline tells the server and closes the dialog at once', async () => {
      const { root, ws, requests } = await openConsole({
        'POST /calls/call-1/decline': { status: 200, body: ringingCall({ version: 2 }) },
      });
      await serverSends(ws, { type: 'call.incoming', call: ringingCall() });
      await clickAndSettle(byId(root, 'decline-button'));
      expect(posts(requests)).toContain('POST /calls/call-1/decline');
      expect(byId(root, 'incoming-modal')).toBeNull();
      expect(get(root, '[data-testid=staff-page]').dataset.phase).toBe('idle');
    });

    it('Accept answers, shows "Answering…" until the server agrees, then the call room', async () => {
      let answer!: (r: FakeRoute) => void;
      const accepted = ringingCall({
        state: 'accepted',
        version: 2,
        staff: { id: 'st-me', name: 'Me' },
        accepted_at: new Date().toISOString(),
      });
      const { root, ws, requests, devices } = await openConsole({
        'POST /calls/call-1/accept': () => new Promise<FakeRoute>((r) => (answer = r)),
      });
      await serverSends(ws, { type: 'call.incoming', call: ringingCall() });
      await clickAndSettle(byId(root, 'accept-button'));
      expect(posts(requests)).toContain('POST /calls/call-1/accept');
      expect(textOf(root, 'accepting')).toBe('Answering…');
      expect(byId(root, 'incoming-modal')).toBeNull(); // It no longer rings here.
      answer({ status: 200, body: accepted });
      await settle();
      expect(devices.asked).toHaveLength(1);
      expect(get(root, '[data-testid=call-room]').getAttribute('aria-label')).toBe(
        'Call with Carla',
      );
      expect(get(root, 'h1').textContent).toBe('Staff console');
    });

    it('a call someone else answered closes the dialog, and a toast says who took it', async () => {
      const { root, ws } = await openConsole();
      await serverSends(ws, { type: 'call.incoming', call: ringingCall() });
      expect(byId(root, 'incoming-modal')).not.toBeNull();
      await serverSends(ws, {
        type: 'call.updated',
        call: ringingCall({ state: 'accepted', version: 2, staff: { id: 'st-ana', name: 'Ana' } }),
      });
      expect(byId(root, 'incoming-modal')).toBeNull();
      expect(textOf(root, 'toast-answered_elsewhere')).toContain('Answered by Ana');
      expect(byId(root, 'staff-idle')).not.toBeNull();
    });

    it('an Accept the server refuses leaves the console waiting, with the error in a toast', async () => {
      const { root, ws } = await openConsole({
        'POST /calls/call-1/accept': {
          status: 409,
          body: { error: { code: 'call_already_taken', message: 'Taken', retryable: false } },
        },
      });
      await serverSends(ws, { type: 'call.incoming', call: ringingCall() });
      await clickAndSettle(byId(root, 'accept-button'));
      expect(textOf(root, 'toast-error')).not.toBe('');
      expect(byId(root, 'incoming-modal')).toBeNull();
      expect(byId(root, 'call-room')).toBeNull();
      expect(get(root, '[data-testid=staff-page]').dataset.phase).toBe('idle');
    });

    it('blocked devices after Accept: the denied card, then the failed call’s summary', async () => {
      const accepted = ringingCall({ state: 'accepted', version: 2, staff: { id: 'st-me' } });
      let answerEnd!: (r: FakeRoute) => void;
      const { root, ws, requests } = await openConsole(
        {
          'POST /calls/call-1/accept': { status: 200, body: accepted },
          'POST /calls/call-1/end': () => new Promise<FakeRoute>((r) => (answerEnd = r)),
        },
        new FakeDevices('granted', true),
      );
      await serverSends(ws, { type: 'call.incoming', call: ringingCall() });
      await clickAndSettle(byId(root, 'accept-button'));
      expect(textOf(root, 'permission-denied')).toContain('To take calls:');
      const end = requests.find((r) => r.path === '/calls/call-1/end');
      expect(end?.body).toMatchObject({ reason: 'media_failed' });
      answerEnd({
        status: 200,
        body: { ...accepted, state: 'failed', version: 3, end_reason: 'media_failed' },
      });
      await settle();
      expect(textOf(root, 'summary-headline')).toBe('Could not connect');
      expect(textOf(root, 'summary-detail')).toContain('Your camera or microphone could not start');
    });
  });

  it('after a call: the summary, rated, and "Back to the console" returns to waiting', async () => {
    const accepted = ringingCall({
      state: 'accepted',
      version: 2,
      staff: { id: 'st-me', name: 'Me' },
    });
    const ended = { ...accepted, state: 'ended' as const, version: 3, end_reason: 'hangup' };
    const { root, ws } = await openConsole({
      'POST /calls/call-1/accept': { status: 200, body: accepted },
      'GET /calls/call-1': { status: 200, body: ended },
    });
    await serverSends(ws, { type: 'call.incoming', call: ringingCall() });
    await clickAndSettle(byId(root, 'accept-button'));
    await serverSends(ws, { type: 'call.updated', call: ended });
    expect(textOf(root, 'summary-headline')).toBe('Call ended');
    expect(textOf(root, 'summary-who')).toBe('Carla');
    expect(byId(root, 'summary-retry')).toBeNull(); // Staff do not call back from here.
    expect(textOf(root, 'summary-close')).toBe('Back to the console');
    await clickAndSettle(byId(root, 'summary-close'));
    expect(byId(root, 'staff-idle')).not.toBeNull();
  });

  describe('recent calls', () => {
    const done = makeCall({
      id: 'call-9',
      state: 'ended',
      staff: { id: 'st-ana', name: 'Ana' },
      active_at: '2026-11-23T21:00:10.000Z',
      ended_at: '2026-11-23T21:01:25.000Z',
    });
    const missed = makeCall({ id: 'call-8', state: 'missed', caller: { id: 'cli-2' } });

    it('lists the last ten calls with outcome, who answered and the talk time', async () => {
      const { root, requests } = await openConsole({
        'GET /calls?limit=10': { status: 200, body: { calls: [done, missed], next: null } },
      });
      await afterDebounce();
      expect(requests.some((r) => r.path === '/calls?limit=10')).toBe(true);
      const rows = [...root.querySelectorAll('[data-testid=recent-calls] tbody tr')].map((tr) =>
        [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent),
      );
      expect(rows).toEqual([
        ['Carla', 'Completed', 'Ana', '1:15'],
        ['cli-2', 'Missed', '–', '–'],
      ]);
    });

    it('says when there are none', async () => {
      const { root } = await openConsole();
      await afterDebounce();
      expect(textOf(root, 'recent-calls')).toContain('No calls yet.');
    });

    const outcomes = (root: ParentNode) =>
      [...root.querySelectorAll('[data-testid=recent-calls] .pill')].map((p) => p.textContent);

    it('follows a call another staff member took from its call.updated, without asking', async () => {
      const taken = makeCall({
        id: 'call-7',
        state: 'accepted',
        version: 2,
        staff: { id: 'st-ana', name: 'Ana' },
      });
      const { root, ws, requests } = await openConsole({
        'GET /calls?limit=10': { status: 200, body: { calls: [taken], next: null } },
      });
      await afterDebounce();
      expect(outcomes(root)).toEqual(['Connecting']);
      const reads = requests.length;
      await serverSends(ws, {
        type: 'call.updated',
        call: { ...taken, state: 'active', version: 3 },
      });
      expect(outcomes(root)).toEqual(['In progress']);
      await serverSends(ws, {
        type: 'call.updated',
        call: { ...taken, state: 'ended', version: 4, end_reason: 'completed' },
      });
      expect(outcomes(root)).toEqual(['Completed']);
      expect(requests.length).toBe(reads); // No request was needed.
    });

    it('reads the list again when a team member starts or ends a call (calls it was not rung for)', async () => {
      const { ws, requests } = await openConsole();
      await afterDebounce();
      const reads = () => requests.filter((r) => r.path === '/calls?limit=10').length;
      const before = reads();
      const board = (state: 'idle' | 'in_call', seq: number) => ({
        type: seq === 1 ? 'board' : 'board.updated',
        staff: [makeStaff('st-ana', { name: 'Ana', state })],
        queue: { length: 0 },
        seq,
      });
      await serverSends(ws, board('idle', 1));
      await afterDebounce();
      const afterSnapshot = reads();
      expect(afterSnapshot).toBeGreaterThan(before);
      await serverSends(ws, board('in_call', 2));
      await afterDebounce();
      expect(reads()).toBe(afterSnapshot + 1);
    });

    it('shows a failed load, and Refresh loads again', async () => {
      const { root, requests } = await openConsole({
        'GET /calls?limit=10': [
          { status: 500, body: { error: { code: 'internal', message: 'boom', retryable: true } } },
          { status: 200, body: { calls: [done], next: null } },
        ],
      });
      await afterDebounce();
      expect(get(root, '[data-testid=recent-calls] .error').textContent).not.toBe('');
      const refresh = [...get(root, '[data-testid=recent-calls]').querySelectorAll('button')].find(
        (b) => b.textContent === 'Refresh',
      );
      await clickAndSettle(refresh ?? null);
      expect(requests.filter((r) => r.path === '/calls?limit=10').length).toBeGreaterThanOrEqual(2);
      expect(root.querySelector('[data-testid=recent-calls] .error')).toBeNull();
      expect(root.querySelectorAll('[data-testid=recent-calls] tbody tr')).toHaveLength(1);
    });
  });
});
