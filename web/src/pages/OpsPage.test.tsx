// @vitest-environment happy-dom
/** The ops dashboard: who may open it, its loading, loaded and failing states, Refresh. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FakeSocket,
  fakeFetch,
  makeCall,
  makeStaff,
  type FakeRoute,
} from '../../packages/client/src/test/fakes';
import { flush } from '../../packages/client/src/test/media';
import { click, get, render, updateAsync } from '../testing/render';
import { OpsPage } from './OpsPage';

const TOKEN_KEY = 'switchboard.token';

function signInAs(claims: Record<string, unknown>): void {
  const part = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '');
  sessionStorage.setItem(TOKEN_KEY, `${part({ alg: 'none' })}.${part(claims)}.sig`);
}
const admin = { sub: 'adm', org: 'org-a', role: 'admin', name: 'Ada' };

const SUMMARY = {
  window_seconds: 3600,
  generated_at: 1795483094015,
  funnel: { created: 1, accepted: 0, connected: 0, by_state: {}, by_reason: {} },
  setup_seconds: { count: 0, p50: 0, p90: 0, p99: 0 },
  connect_seconds: { count: 0, p50: 0, p90: 0, p99: 0 },
  ice: { connected: 0, failed: 0, success_rate: 0, turn_share: 0 },
  worst_calls: [],
};
const ok = (body: unknown): FakeRoute => ({ status: 200, body });
const failure = (status: number, code: string): FakeRoute => ({
  status,
  body: { error: { code, message: code, retryable: status >= 500 } },
});

const settle = () =>
  updateAsync(async () => {
    for (let i = 0; i < 5; i++) await flush();
  });

function openDashboard(routes: Parameters<typeof fakeFetch>[0] = {}) {
  const { fetch, requests } = fakeFetch({
    'GET /ops/summary': ok(SUMMARY),
    'GET /staff/availability': ok({ staff: [makeStaff('st-ana', { name: 'Ana' })] }),
    'GET /calls?state=ringing&limit=100': ok({ calls: [makeCall({ id: 'r1' })], next: null }),
    'GET /calls?state=accepted&limit=100': ok({ calls: [], next: null }),
    'GET /calls?state=active&limit=100': ok({ calls: [], next: null }),
    ...routes,
  });
  vi.stubGlobal('fetch', fetch);
  vi.stubGlobal('WebSocket', FakeSocket);
  const view = render(<OpsPage />);
  return { root: view.container, requests, unmount: view.unmount };
}

const byId = (root: ParentNode, id: string) => root.querySelector(`[data-testid=${id}]`);
const textOf = (root: ParentNode, id: string) => get(root, `[data-testid=${id}]`).textContent;

describe('OpsPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    sessionStorage.clear();
    FakeSocket.instances = [];
    window.history.replaceState(null, '', '/');
  });

  describe('for someone who is not an admin', () => {
    it('staff are told it is for admins, and sent back to the console; nothing is loaded', () => {
      signInAs({ sub: 'st-1', org: 'org-a', role: 'staff', name: 'Sam' });
      const { root, requests } = openDashboard();
      expect(get(root, '[data-testid=ops-page]').dataset.access).toBe('forbidden');
      expect(get(root, 'h1').textContent).toBe('Operations is for admins only');
      expect(textOf(root, 'ops-admins-only')).toContain('You are signed in as Sam (staff).');
      const back = get(root, '[data-testid=ops-admins-only] a');
      expect(back.textContent).toBe('Back to the staff console');
      click(back);
      expect(window.location.pathname).toBe('/staff');
      expect(requests).toEqual([]);
      expect(FakeSocket.instances).toEqual([]); // No socket: it would count them as online.
    });

    it('a client is sent back to calls', () => {
      signInAs({ sub: 'cli-1', org: 'org-a', role: 'client' });
      const { root } = openDashboard();
      expect(textOf(root, 'ops-admins-only')).toContain('You are signed in as cli-1 (client).');
      const back = get(root, '[data-testid=ops-admins-only] a');
      expect(back.textContent).toBe('Back to calls');
      click(back);
      expect(window.location.pathname).toBe('/client');
    });

    it('nobody signed in: no "signed in as" line', () => {
      const { root } = openDashboard();
      expect(textOf(root, 'ops-admins-only')).not.toContain('You are signed in as');
    });
  });

  describe('for an admin', () => {
    it('says it is loading until the first answers, then shows the live calls and staff', async () => {
      signInAs(admin);
      let answer!: (r: FakeRoute) => void;
      const { root, requests } = openDashboard({
        'GET /ops/summary': () => new Promise<FakeRoute>((r) => (answer = r)),
      });
      await settle();
      expect(get(root, 'h1').textContent).toBe('Operations');
      expect(textOf(root, 'ops-updated')).toBe('Live now, and the last hour. Loading…');
      expect(textOf(root, 'live-calls')).toContain('Loading…');
      expect(requests.map((r) => r.path)).toContain('/ops/summary');
      answer(ok(SUMMARY));
      await settle();
      expect(get(root, '[data-testid=ops-page]').dataset.access).toBe('allowed');
      expect(textOf(root, 'ops-updated')).toMatch(/Updated .+, refreshes every few seconds\.$/);
      expect(byId(root, 'live-call-r1')).not.toBeNull();
      expect(byId(root, 'staff-row-st-ana')).not.toBeNull();
      expect(byId(root, 'ops-error')).toBeNull();
    });

    it('the server refusing the summary shows the admins-only page', async () => {
      signInAs(admin);
      const { root } = openDashboard({ 'GET /ops/summary': failure(403, 'forbidden') });
      await settle();
      expect(get(root, '[data-testid=ops-page]').dataset.access).toBe('forbidden');
      expect(byId(root, 'ops-admins-only')).not.toBeNull();
    });

    it('a failed first load says so in every card; "Refresh now" loads again', async () => {
      signInAs(admin);
      const { root, requests } = openDashboard({
        'GET /ops/summary': [failure(503, 'unavailable'), ok(SUMMARY)],
      });
      await settle();
      const error = get(root, '[data-testid=ops-error]');
      expect(error.getAttribute('role')).toBe('alert');
      expect(error.textContent).toMatch(/^Could not refresh: ./);
      expect(error.textContent).not.toContain('Showing what was known');
      expect(textOf(root, 'ops-updated')).toContain('Loading…');
      expect(root.textContent).toContain('Not loaded yet: see the message above.');
      const before = requests.filter((r) => r.path === '/ops/summary').length;
      click(byId(root, 'ops-refresh'));
      await settle();
      expect(requests.filter((r) => r.path === '/ops/summary').length).toBe(before + 1);
      expect(byId(root, 'ops-error')).toBeNull();
      expect(root.textContent).not.toContain('Not loaded yet');
    });

    it('a later failure keeps what was shown, and says since when', async () => {
      signInAs(admin);
      const { root } = openDashboard({
        'GET /ops/summary': [ok(SUMMARY), failure(503, 'unavailable')],
      });
      await settle();
      expect(byId(root, 'ops-error')).toBeNull();
      click(byId(root, 'ops-refresh'));
      await settle();
      expect(textOf(root, 'ops-error')).toMatch(/Showing what was known at .+\.$/);
      expect(byId(root, 'live-call-r1')).not.toBeNull(); // The earlier data stays.
    });

    it('an admin who is available is told calls are answered in the staff console', async () => {
      signInAs(admin);
      const { root } = openDashboard({
        'GET /staff/availability': ok({ staff: [makeStaff('adm', { name: 'Ada' })] }),
      });
      await settle();
      const note = get(root, '[data-testid=ops-you-available]');
      expect(note.textContent).toContain('You are available for calls');
      click(note.querySelector('a'));
      expect(window.location.pathname).toBe('/staff');
    });

    it('an admin who is away gets no such note', async () => {
      signInAs(admin);
      const { root } = openDashboard({
        'GET /staff/availability': ok({ staff: [makeStaff('adm', { status: 'away' })] }),
      });
      await settle();
      expect(byId(root, 'staff-row-adm')).not.toBeNull();
      expect(byId(root, 'ops-you-available')).toBeNull();
    });

    it('closes its socket when the page goes', async () => {
      signInAs(admin);
      const { unmount } = openDashboard();
      await settle();
      const ws = FakeSocket.latest();
      unmount();
      expect(ws.closedWith).toBe(1000);
    });
  });
});
