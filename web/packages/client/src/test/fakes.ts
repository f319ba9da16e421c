/** Fakes for the transport seams (twilio's `new EventEmitter() as Room` idea). */
import { EventEmitter } from 'node:events';
import type { Call, StaffEntry } from '../types';
import type { WebSocketLike } from '../signaling/SignalingClient';

export function makeCall(over: Partial<Call> = {}): Call {
  return {
    id: 'call-1',
    org_id: 'org-a',
    state: 'ringing',
    version: 1,
    caller: { id: 'cli-1', name: 'Carla' },
    staff: null,
    media: { audio: true, video: true },
    metadata: {},
    created_at: '2026-11-23T21:00:00.000Z',
    ring_deadline: '2026-11-23T21:00:45.000Z',
    accepted_at: null,
    active_at: null,
    ended_at: null,
    end_reason: null,
    ...over,
  };
}

export function makeStaff(id: string, over: Partial<StaffEntry> = {}): StaffEntry {
  return {
    id,
    name: id[0].toUpperCase() + id.slice(1),
    status: 'available',
    state: 'idle',
    connected: true,
    since: '2026-11-23T21:00:00.000Z',
    call_id: null,
    ...over,
  };
}

/** A WebSocket double: records what the client sent; the test plays the server. */
export class FakeSocket extends EventEmitter implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closedWith: number | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(readonly url: string) {
    super();
    FakeSocket.instances.push(this);
  }

  static latest(): FakeSocket {
    const s = FakeSocket.instances[FakeSocket.instances.length - 1];
    if (!s) throw new Error('no socket yet');
    return s;
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  // Server side.
  serverOpen(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  serverSend(msg: unknown): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  welcome(
    user = { id: 'cli-1', org: 'org-a', role: 'client', name: 'Carla' },
    calls: Call[] = [],
  ): void {
    this.serverSend({ type: 'welcome', session: 's-1', user, calls });
  }
}

export interface FakeRoute {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A fetch double answering by "METHOD /path" with queued responses; records the requests. */
export function fakeFetch(
  routes: Record<string, FakeRoute | FakeRoute[] | (() => FakeRoute | Promise<FakeRoute>)>,
) {
  const requests: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body: unknown;
  }[] = [];
  const impl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(
      input instanceof Request ? input.url : input.toString(),
      'http://test.local',
    );
    const method = init?.method ?? 'GET';
    const path = url.pathname.replace(/^\/v1/, '') + url.search;
    requests.push({
      method,
      path,
      headers: (init?.headers as Record<string, string>) ?? {},
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const entry =
      routes[`${method} ${path}`] ?? routes[`${method} ${url.pathname.replace(/^\/v1/, '')}`];
    let route: FakeRoute | undefined;
    if (typeof entry === 'function') route = await entry();
    else if (Array.isArray(entry)) route = entry.length > 1 ? entry.shift() : entry[0];
    else route = entry;
    if (!route) {
      const body = { error: { code: 'not_found', message: 'No route', retryable: false } };
      return new Response(JSON.stringify(body), { status: 404 });
    }
    return new Response(route.body === undefined ? null : JSON.stringify(route.body), {
      status: route.status,
      headers: route.headers,
    });
  };
  return { fetch: impl, requests };
}
