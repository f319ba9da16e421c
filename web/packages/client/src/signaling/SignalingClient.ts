/**
 * The WebSocket half of the API (docs/asyncapi.yaml): `hello` first, `welcome` back,
 * then typed server messages. Reconnects with backoff and jitter; each `welcome` carries the
 * user's non-terminal calls, and listeners resync from it.
 */
import type {
  Call,
  ClientMessage,
  ServerMessage,
  SignalData,
  SignalKind,
  UnnumberedClientMessage,
  User,
} from '../types';
import { TypedEmitter } from '../util/emitter';
import { getLogger } from '../util/logger';
import { realClock, type Clock } from '../util/time';
import { DefaultReconnectPolicy, type ReconnectPolicy } from './ReconnectPolicy';

const log = getLogger('signaling');

export enum SignalingState {
  Idle = 'idle',
  Connecting = 'connecting',
  /** `welcome` received: messages flow. */
  Open = 'open',
  Reconnecting = 'reconnecting',
  /** Stopped for good: closed by the app, or the server refused the token. */
  Closed = 'closed',
}

/** The part of the browser WebSocket that we use; tests pass a fake. */
export interface WebSocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface SignalingOptions {
  /** `ws(s)://host/v1/ws`; defaults to the page's origin. */
  url?: string;
  getToken: () => string | null;
  createSocket?: WebSocketFactory;
  reconnectPolicy?: ReconnectPolicy;
  clock?: Clock;
  /** An app-level ping keeps proxies from idling us out and notices a dead link. */
  pingIntervalMs?: number;
  /** No pong (or any message) within this after a ping: the link is dead, reconnect. */
  pongTimeoutMs?: number;
  /** No `welcome` within this after the socket opens: reconnect. */
  welcomeTimeoutMs?: number;
}

export type SignalingEventCallbacks = {
  state: (state: SignalingState) => void;
  welcome: (w: { session: string; user: User; calls: Call[]; reconnect: boolean }) => void;
  message: (m: ServerMessage) => void;
  /** The server refused the token (close 4001) or the role (4003): sign in again. */
  authFailed: (code: number) => void;
};

const AUTH_CLOSE_CODES = new Set([4001, 4003]);

export function defaultWsUrl(): string {
  const loc = globalThis.location;
  const proto = loc?.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${loc?.host ?? 'localhost'}/v1/ws`;
}

export class SignalingClient extends TypedEmitter<SignalingEventCallbacks> {
  private readonly opts: Required<Omit<SignalingOptions, 'url'>> & { url: string };
  private ws: WebSocketLike | null = null;
  private stateValue = SignalingState.Idle;
  private attempt = 0;
  private seq = 0;
  private welcomed = false;
  private everWelcomed = false;
  private reconnectTimer: unknown = null;
  private pingTimer: unknown = null;
  private pongTimer: unknown = null;
  private welcomeTimer: unknown = null;
  private user: User | null = null;

  constructor(options: SignalingOptions) {
    super();
    this.opts = {
      url: options.url ?? defaultWsUrl(),
      getToken: options.getToken,
      createSocket:
        options.createSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike),
      reconnectPolicy: options.reconnectPolicy ?? new DefaultReconnectPolicy(),
      clock: options.clock ?? realClock,
      pingIntervalMs: options.pingIntervalMs ?? 20_000,
      pongTimeoutMs: options.pongTimeoutMs ?? 10_000,
      welcomeTimeoutMs: options.welcomeTimeoutMs ?? 10_000,
    };
  }

  get state(): SignalingState {
    return this.stateValue;
  }

  get currentUser(): User | null {
    return this.user;
  }

  connect(): void {
    if (this.stateValue === SignalingState.Connecting || this.stateValue === SignalingState.Open)
      return;
    this.attempt = 0;
    this.open();
  }

  close(): void {
    this.clearTimers();
    this.setState(SignalingState.Closed);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
      ws.close(1000, 'client closing');
    }
  }

  /**
   * Drops the socket and connects again at once, without backoff: after a network change the old
   * socket may sit on an address that is gone, and nothing would say so until the ping times out.
   */
  reconnectNow(): void {
    if (this.stateValue === SignalingState.Idle || this.stateValue === SignalingState.Closed)
      return;
    const ws = this.ws;
    this.ws = null;
    this.welcomed = false;
    this.clearTimers();
    if (ws) {
      ws.onopen = null;
      ws.onclose = null;
      ws.onmessage = null;
      ws.close(4000, 'network change');
    }
    log.info('network changed: reconnecting now');
    this.attempt = 0;
    this.open();
  }

  /** Sends a signal to the other participant; false when not connected (it is then dropped). */
  sendSignal(callId: string, kind: SignalKind, data: SignalData): boolean {
    if (!this.ws || !this.welcomed) {
      log.warn(`signal ${kind} for ${callId} dropped: not connected`);
      return false;
    }
    return this.sendNumbered({ type: 'signal', call_id: callId, kind, data }) !== null;
  }

  /**
   * Sends `message` with the connection's next `seq` (one counter for every numbered message, so
   * signals' seq still grows), which an `error` about it names in `ref`. Answers that seq, or
   * null when not connected (the message is then dropped).
   */
  sendNumbered(message: UnnumberedClientMessage): number | null {
    const seq = this.seq + 1;
    if (!this.send({ ...message, seq } as ClientMessage)) return null;
    this.seq = seq;
    return seq;
  }

  send(message: ClientMessage): boolean {
    if (!this.ws || !this.welcomed) {
      log.warn(`"${message.type}" not sent: not connected`);
      return false;
    }
    this.ws.send(JSON.stringify(message));
    return true;
  }

  private open(): void {
    const token = this.opts.getToken();
    if (!token) {
      log.error('no token: cannot connect');
      this.setState(SignalingState.Closed);
      this.emit('authFailed', 4001);
      return;
    }
    this.setState(this.everWelcomed ? SignalingState.Reconnecting : SignalingState.Connecting);
    this.welcomed = false;
    this.seq = 0;
    let ws: WebSocketLike;
    try {
      ws = this.opts.createSocket(this.opts.url);
    } catch (e) {
      log.warn('socket creation failed', { error: String(e) });
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'hello', token } satisfies ClientMessage));
      this.welcomeTimer = this.opts.clock.setTimeout(() => {
        log.warn('no welcome in time; reconnecting');
        ws.close(4000, 'no welcome');
        this.handleClose(ws, 4000);
      }, this.opts.welcomeTimeoutMs);
    };
    ws.onmessage = (ev) => this.handleMessage(ev.data);
    ws.onerror = () => log.debug('socket error');
    ws.onclose = (ev) => this.handleClose(ws, ev.code, ev.reason);
  }

  private handleMessage(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let msg: ServerMessage;
    try {
      msg = JSON.parse(raw) as ServerMessage;
    } catch {
      log.warn('malformed message from server ignored');
      return;
    }
    this.armPing();
    if (msg.type === 'welcome') {
      this.opts.clock.clearTimeout(this.welcomeTimer);
      const reconnect = this.everWelcomed;
      this.welcomed = true;
      this.everWelcomed = true;
      this.attempt = 0;
      this.user = msg.user;
      log.info(
        `welcome (${reconnect ? 'resync' : 'first'}) session ${msg.session}, ${msg.calls.length} live call(s)`,
      );
      this.setState(SignalingState.Open);
      this.emit('welcome', {
        session: msg.session,
        user: msg.user,
        calls: msg.calls ?? [],
        reconnect,
      });
      return;
    }
    if (msg.type === 'pong') return;
    if (msg.type === 'error')
      log.warn(`server error ${msg.code} (ref ${String(msg.ref)}): ${msg.message}`);
    this.emit('message', msg);
  }

  private handleClose(ws: WebSocketLike, code: number, reason = ''): void {
    if (ws !== this.ws) return;
    ws.onclose = null;
    ws.onmessage = null;
    this.ws = null;
    this.welcomed = false;
    this.clearTimers();
    if (this.stateValue === SignalingState.Closed) return;
    if (AUTH_CLOSE_CODES.has(code)) {
      log.error(`closed by server ${code} ${reason}: not reconnecting`);
      this.setState(SignalingState.Closed);
      this.emit('authFailed', code);
      return;
    }
    log.info(`socket closed (${code}${reason ? ` ${reason}` : ''}); reconnecting`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.opts.reconnectPolicy.nextDelayMs(this.attempt++);
    if (delay === null) {
      log.error('giving up reconnecting');
      this.setState(SignalingState.Closed);
      return;
    }
    this.setState(SignalingState.Reconnecting);
    log.debug(`reconnect attempt ${this.attempt} in ${delay} ms`);
    this.reconnectTimer = this.opts.clock.setTimeout(() => this.open(), delay);
  }

  /** After any message, wait `pingIntervalMs` of silence, then ping and expect an answer. */
  private armPing(): void {
    this.opts.clock.clearTimeout(this.pingTimer);
    this.opts.clock.clearTimeout(this.pongTimer);
    const ws = this.ws;
    this.pingTimer = this.opts.clock.setTimeout(() => {
      if (!ws || ws !== this.ws) return;
      ws.send(JSON.stringify({ type: 'ping' } satisfies ClientMessage));
      this.pongTimer = this.opts.clock.setTimeout(() => {
        log.warn('no pong: link is dead, reconnecting');
        ws.close(4000, 'ping timeout');
        this.handleClose(ws, 4000, 'ping timeout');
      }, this.opts.pongTimeoutMs);
    }, this.opts.pingIntervalMs);
  }

  private clearTimers(): void {
    for (const t of [this.reconnectTimer, this.pingTimer, this.pongTimer, this.welcomeTimer]) {
      this.opts.clock.clearTimeout(t);
    }
  }

  private setState(next: SignalingState): void {
    if (next === this.stateValue) return;
    log.info(`${this.stateValue} -> ${next}`);
    this.stateValue = next;
    this.emit('state', next);
  }
}
