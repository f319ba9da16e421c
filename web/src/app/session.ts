/**
 * The signed-in person, per tab: the JWT lives in sessionStorage so two tabs can be two people.
 * Integrators can hand the token in the URL (`?token=...`); it is moved to storage and removed
 * from the address bar at once so it does not end up in history or screenshots.
 */
import { type Role } from '@switchboard/client';

const TOKEN_KEY = 'switchboard.token';
const RELAY_KEY = 'switchboard.relay';

export interface Claims {
  sub: string;
  org: string;
  role: Role;
  name?: string;
  exp?: number;
}

export function adoptUrlParams(): void {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  const relay = url.searchParams.get('relay');
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  if (relay !== null) {
    if (relay === '1' || relay === 'true') sessionStorage.setItem(RELAY_KEY, '1');
    else sessionStorage.removeItem(RELAY_KEY);
  }
  if (token || relay !== null) {
    url.searchParams.delete('token');
    url.searchParams.delete('relay');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
}

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** `relay` forces TURN relays (set with `?relay=1`). */
export function iceTransportPolicy(): RTCIceTransportPolicy {
  return sessionStorage.getItem(RELAY_KEY) ? 'relay' : 'all';
}

/** The token's claims, read without verifying (the server verifies); null when absent, malformed or expired. */
export function claims(token = getToken()): Claims | null {
  if (!token) return null;
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(
      part
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '='),
    );
    const c = JSON.parse(decodeURIComponent(escape(json))) as Claims;
    if (typeof c.exp === 'number' && c.exp * 1000 < Date.now()) return null;
    return c;
  } catch {
    return null;
  }
}
