// @vitest-environment happy-dom
/** Sign-in: the dev-mode probe decides the form; each form's token, navigation and errors. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { fakeFetch, type FakeRoute } from '../../packages/client/src/test/fakes';
import { flush } from '../../packages/client/src/test/media';
import { click, get, render, updateAsync } from '../testing/render';
import { SignInPage } from './SignInPage';

const TOKEN_KEY = 'switchboard.token';

/** An unsigned JWT with these claims (the page reads claims without verifying). */
function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) =>
    btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.sig`;
}

const notFound = { error: { code: 'not_found', message: 'No route', retryable: false } };
/** The probe (`GET /healthz`) answers 200 either way; `dev_sign_in` says which form to show. */
const devOn: FakeRoute = { status: 200, body: { status: 'ok', dev_sign_in: true } };
const devOff: FakeRoute = { status: 200, body: { status: 'ok', dev_sign_in: false } };
const devRoute: FakeRoute = { status: 404, body: notFound };

const settle = () =>
  updateAsync(async () => {
    for (let i = 0; i < 5; i++) await flush();
  });

/** Types into a React-controlled field as a person would (the native setter, then `input`). */
function typeInto(el: Element, text: string): void {
  const proto = Object.getPrototypeOf(el) as object;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  act(() => {
    setter?.call(el, text);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function submit(button: Element): Promise<void> {
  click(button);
  await settle();
}

async function openPage(routes: Parameters<typeof fakeFetch>[0]) {
  const { fetch, requests } = fakeFetch(routes);
  vi.stubGlobal('fetch', fetch);
  const view = render(<SignInPage />);
  await settle();
  return { root: view.container, requests };
}

const field = (root: ParentNode, id: string) => get(root, `[data-testid=${id}]`);

describe('SignInPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    sessionStorage.clear();
    window.history.replaceState(null, '', '/signin');
  });

  it('says it is checking until the server answers the probe', async () => {
    let answer!: (r: FakeRoute) => void;
    const { root, requests } = await openPage({
      'GET /healthz': () => new Promise<FakeRoute>((r) => (answer = r)),
    });
    expect(get(root, '[data-testid=signin-page]').dataset.dev).toBe('checking');
    expect(field(root, 'signin-checking').textContent).toBe('Checking how to sign in…');
    expect(requests[0]).toMatchObject({ method: 'GET', path: '/healthz' });
    answer(devOn);
    await settle();
    expect(get(root, '[data-testid=signin-page]').dataset.dev).toBe('on');
    expect(get(root, 'h1').textContent).toBe('Dev sign-in');
  });

  describe('dev sign-in', () => {
    it('gets a token for the org, user, name and role chosen, stores it and goes home', async () => {
      const token = jwt({ sub: 'st-ana', org: 'acme', role: 'staff', name: 'Ana' });
      const { root, requests } = await openPage({
        'GET /healthz': devOn,
        'POST /dev/token': { status: 200, body: { token } },
      });
      expect((field(root, 'signin-org') as HTMLInputElement).value).toBe('demo');
      typeInto(field(root, 'signin-org'), 'acme');
      typeInto(field(root, 'signin-sub'), 'st-ana');
      typeInto(field(root, 'signin-name'), '  Ana ');
      click(field(root, 'signin-role-staff'));
      await submit(field(root, 'signin-submit'));
      expect(requests.at(-1)?.body).toEqual({
        org: 'acme',
        sub: 'st-ana',
        role: 'staff',
        name: 'Ana',
      });
      expect(sessionStorage.getItem(TOKEN_KEY)).toBe(token);
      expect(window.location.pathname).toBe('/staff');
    });

    it('makes up a user id when none is given, and sends a client home to /client', async () => {
      const { root, requests } = await openPage({
        'GET /healthz': devOn,
        'POST /dev/token': {
          status: 200,
          body: { token: jwt({ sub: 'x', org: 'demo', role: 'client' }) },
        },
      });
      await submit(field(root, 'signin-submit'));
      const body = requests.at(-1)?.body as { sub: string; name: string; role: string };
      expect(body.role).toBe('client');
      expect(body.sub).toMatch(/^client-[a-z0-9]{1,5}$/);
      expect(body.name).toBe(body.sub); // No display name: the id stands in.
      expect(window.location.pathname).toBe('/client');
    });

    it('keeps the org of the person already signed in', async () => {
      sessionStorage.setItem(TOKEN_KEY, jwt({ sub: 'u', org: 'acme', role: 'client' }));
      const { root } = await openPage({ 'GET /healthz': devOn });
      expect((field(root, 'signin-org') as HTMLInputElement).value).toBe('acme');
    });

    it('shows a refusal and stays on the page with the button enabled again', async () => {
      const { root } = await openPage({
        'GET /healthz': devOn,
        'POST /dev/token': {
          status: 400,
          body: { error: { code: 'invalid_request', message: 'bad org', retryable: false } },
        },
      });
      await submit(field(root, 'signin-submit'));
      expect(field(root, 'signin-error').textContent).toMatch(/^Sign-in failed: ./);
      expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();
      expect(window.location.pathname).toBe('/signin');
      expect((field(root, 'signin-submit') as HTMLButtonElement).disabled).toBe(false);
      expect(field(root, 'signin-submit').textContent).toBe('Sign in');
    });

    it('says "Signing in…" while the token is on its way', async () => {
      let answer!: (r: FakeRoute) => void;
      const token = new Promise<FakeRoute>((r) => (answer = r));
      const { root } = await openPage({ 'GET /healthz': devOn, 'POST /dev/token': () => token });
      await submit(field(root, 'signin-submit'));
      expect(field(root, 'signin-submit').textContent).toBe('Signing in…');
      expect((field(root, 'signin-submit') as HTMLButtonElement).disabled).toBe(true);
      answer({ status: 200, body: { token: jwt({ sub: 'c', org: 'demo', role: 'client' }) } });
      await settle();
      expect(window.location.pathname).toBe('/client');
    });

    it('an unclear probe shows the dev form; a 404 on sign-in then switches to the integrator view', async () => {
      const { root } = await openPage({
        'GET /healthz': {
          status: 503,
          body: { error: { code: 'unavailable', message: 'x', retryable: true } },
        },
        'POST /dev/token': devRoute,
      });
      expect(get(root, '[data-testid=signin-page]').dataset.dev).toBe('unknown');
      expect(get(root, 'h1').textContent).toBe('Dev sign-in');
      await submit(field(root, 'signin-submit'));
      expect(get(root, '[data-testid=signin-page]').dataset.dev).toBe('off');
      expect(root.querySelector('[data-testid=signin-error]')).toBeNull();
      expect(field(root, 'signin-integrator')).not.toBeNull();
    });
  });

  describe('without dev sign-in', () => {
    const pasted = jwt({
      sub: 'cli-7',
      org: 'acme',
      role: 'client',
      exp: Date.now() / 1000 + 3600,
    });

    it('explains that sign-in comes from the integrating app, with a field for a JWT', async () => {
      const { root } = await openPage({ 'GET /healthz': devOff });
      expect(get(root, 'h1').textContent).toBe('Sign in through your app');
      expect(field(root, 'signin-dev-off').textContent).toContain(
        'Dev sign-in is off on this server',
      );
      expect((field(root, 'signin-jwt-submit') as HTMLButtonElement).disabled).toBe(true); // Empty.
    });

    it('a pasted token the server accepts is stored, and the person goes home', async () => {
      const { root, requests } = await openPage({
        'GET /healthz': devOff,
        'GET /ice-servers': { status: 200, body: { ice_servers: [], ttl_s: 60 } },
      });
      typeInto(field(root, 'signin-jwt'), `  ${pasted}\n`);
      expect((field(root, 'signin-jwt-submit') as HTMLButtonElement).disabled).toBe(false);
      await submit(field(root, 'signin-jwt-submit'));
      const check = requests.find((r) => r.path === '/ice-servers');
      expect(check?.headers).toMatchObject({ Authorization: `Bearer ${pasted}` });
      expect(sessionStorage.getItem(TOKEN_KEY)).toBe(pasted);
      expect(window.location.pathname).toBe('/client');
    });

    it('text that is not a token (or an expired one) is refused without asking the server', async () => {
      const { root, requests } = await openPage({ 'GET /healthz': devOff });
      typeInto(field(root, 'signin-jwt'), 'not-a-jwt');
      await submit(field(root, 'signin-jwt-submit'));
      expect(field(root, 'signin-jwt-error').textContent).toBe(
        'That is not a valid token, or it has expired.',
      );
      const expired = jwt({ sub: 'a', org: 'b', role: 'client', exp: Date.now() / 1000 - 60 });
      typeInto(field(root, 'signin-jwt'), expired);
      await submit(field(root, 'signin-jwt-submit'));
      expect(field(root, 'signin-jwt-error').textContent).toBe(
        'That is not a valid token, or it has expired.',
      );
      expect(requests.map((r) => r.path)).toEqual(['/healthz']); // Only the probe.
      expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();
    });

    it('a token the server refuses says why, and nothing is stored', async () => {
      const { root } = await openPage({
        'GET /healthz': devOff,
        'GET /ice-servers': {
          status: 401,
          body: { error: { code: 'unauthenticated', message: 'bad signature', retryable: false } },
        },
      });
      typeInto(field(root, 'signin-jwt'), pasted);
      await submit(field(root, 'signin-jwt-submit'));
      expect(field(root, 'signin-jwt-error').textContent).toBe(
        'The server did not accept this token (wrong signature, issuer or audience, or expired).',
      );
      expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();
      expect(window.location.pathname).toBe('/signin');
      expect(field(root, 'signin-jwt-submit').textContent).toBe('Sign in with this token');
    });
  });
});
