import { ErrorCode, SwitchboardError } from '../errors';
import type {
  Call,
  CandidateType,
  Feedback,
  IceServersResponse,
  QualitySample,
  Role,
  ServerCallState,
  StaffEntry,
  StaffStatus,
  TransferTarget,
} from '../types';
import { getLogger } from '../util/logger';

const log = getLogger('rest');

export interface RestClientOptions {
  /** Origin of the server, e.g. `https://switchboard.example.com`; empty for same origin. */
  baseUrl?: string;
  /** Returns the JWT for `Authorization: Bearer`. */
  getToken: () => string | null;
  fetch?: typeof fetch;
  /** Per-request deadline. */
  timeoutMs?: number;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Send without a token (dev sign-in). */
  anonymous?: boolean;
  /** An error answer is expected (a probe): do not log it as a warning. */
  quiet?: boolean;
  /** Use this token instead of `getToken()` (checking a pasted token). */
  token?: string;
  /** The path is the server's own (`/healthz`), not under `/v1`. */
  outsideV1?: boolean;
}

let requestCounter = 0;

/**
 * The REST half of the API (docs/openapi.yaml). Every non-2xx answer becomes a
 * `SwitchboardError` whose `friendly` text can be shown as is.
 */
export class RestClient {
  private readonly baseUrl: string;
  private readonly getToken: () => string | null;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  /** Server clock minus local clock, estimated from `Date` headers (ms; 0 until known). */
  clockOffsetMs = 0;

  constructor(opts: RestClientOptions) {
    this.baseUrl = (opts.baseUrl ?? '').replace(/\/$/, '');
    this.getToken = opts.getToken;
    this.fetchImpl =
      opts.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'X-Request-Id': `web-${Date.now().toString(36)}-${(++requestCounter).toString(36)}`,
      ...opts.headers,
    };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (!opts.anonymous) {
      const token = opts.token ?? this.getToken();
      if (token) headers.Authorization = `Bearer ${token}`;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${opts.outsideV1 ? '' : '/v1'}${path}`, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: controller.signal,
      });
    } catch (e) {
      const err = controller.signal.aborted
        ? SwitchboardError.timeout(e)
        : SwitchboardError.network(e);
      log.warn(`${method} ${path} failed before an answer`, { code: err.code });
      throw err;
    } finally {
      clearTimeout(timer);
    }
    this.noteServerDate(res.headers.get('Date'));
    const text = await res.text();
    let body: unknown = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
    }
    if (!res.ok) {
      const err = SwitchboardError.fromResponse(res.status, body, res.headers);
      if (!opts.quiet)
        log.warn(`${method} ${path} -> ${res.status} ${err.code}`, {
          serverMessage: err.serverMessage,
          requestId: err.requestId,
        });
      throw err;
    }
    return body as T;
  }

  private noteServerDate(date: string | null): void {
    if (!date) return;
    const server = Date.parse(date);
    if (Number.isNaN(server)) return;
    // Date has one-second resolution: keep the offset only when it is clearly beyond that.
    const offset = server - Date.now();
    this.clockOffsetMs = Math.abs(offset) > 1500 ? offset : 0;
  }

  // --- Calls ---------------------------------------------------------------------------------

  createCall(
    body: {
      media?: { audio: boolean; video: boolean };
      staff_id?: string;
      metadata?: Record<string, string>;
    },
    idempotencyKey: string,
  ): Promise<Call> {
    return this.request<Call>('POST', '/calls', {
      body,
      headers: { 'Idempotency-Key': idempotencyKey },
    });
  }

  getCall(id: string): Promise<Call> {
    return this.request<Call>('GET', `/calls/${encodeURIComponent(id)}`);
  }

  listCalls(q: { state?: ServerCallState; limit?: number; before?: string } = {}): Promise<{
    calls: Call[];
    next: string | null;
  }> {
    const params = new URLSearchParams();
    if (q.state) params.set('state', q.state);
    if (q.limit) params.set('limit', String(q.limit));
    if (q.before) params.set('before', q.before);
    const qs = params.toString();
    return this.request('GET', `/calls${qs ? `?${qs}` : ''}`);
  }

  accept(id: string): Promise<Call> {
    return this.request<Call>('POST', `/calls/${encodeURIComponent(id)}/accept`);
  }

  decline(id: string): Promise<Call> {
    return this.request<Call>('POST', `/calls/${encodeURIComponent(id)}/decline`);
  }

  cancel(id: string): Promise<Call> {
    return this.request<Call>('POST', `/calls/${encodeURIComponent(id)}/cancel`);
  }

  /**
   * Media is connected. `candidateType` (our side of the selected pair) feeds the server's ICE
   * metrics (`switchboard_ice_results_total`, the TURN share); without it the body is empty.
   */
  connected(id: string, candidateType?: CandidateType | null): Promise<Call> {
    return this.request<Call>('POST', `/calls/${encodeURIComponent(id)}/connected`, {
      body: candidateType ? { candidate_type: candidateType } : undefined,
    });
  }

  end(id: string, reason?: string): Promise<Call> {
    return this.request<Call>('POST', `/calls/${encodeURIComponent(id)}/end`, {
      body: reason ? { reason } : {},
    });
  }

  /** docs/queue.md#transfer: passes an active call on; answers the new call. */
  transfer(id: string, to: TransferTarget): Promise<Call> {
    return this.request<Call>('POST', `/calls/${encodeURIComponent(id)}/transfer`, { body: to });
  }

  /** docs/queue.md: the org's queued calls, first in line first (staff and admins). */
  queue(): Promise<{ calls: Call[] }> {
    return this.request('GET', '/queue');
  }

  quality(id: string, sample: QualitySample): Promise<void> {
    return this.request<void>('POST', `/calls/${encodeURIComponent(id)}/quality`, { body: sample });
  }

  feedback(id: string, feedback: Feedback): Promise<unknown> {
    return this.request('POST', `/calls/${encodeURIComponent(id)}/feedback`, { body: feedback });
  }

  // --- Staff ---------------------------------------------------------------------------------

  staffAvailability(): Promise<{ staff: StaffEntry[] }> {
    return this.request('GET', '/staff/availability');
  }

  setMyAvailability(status: StaffStatus): Promise<StaffEntry> {
    return this.request('PUT', '/staff/me/availability', { body: { status } });
  }

  // --- Ops ----------------------------------------------------------------------------------

  /** `GET /v1/ops/summary` (admins only): the raw JSON; `parseOpsSummary` makes it typed. */
  opsSummary(): Promise<unknown> {
    return this.request('GET', '/ops/summary');
  }

  /** With `callId`, the servers of the ICE profile that call drew (docs/config.md#ice-server-profiles). */
  iceServers(callId?: string): Promise<IceServersResponse> {
    const query = callId ? `?call_id=${encodeURIComponent(callId)}` : '';
    return this.request('GET', `/ice-servers${query}`);
  }

  /**
   * Whether this server offers dev sign-in (`--dev`), from `GET /healthz`'s `dev_sign_in`: a
   * 200 either way, so loading the sign-in page logs no failed request. Null when the answer
   * does not say (offline, or a server without the field).
   */
  async devSignInAvailable(): Promise<boolean | null> {
    try {
      const health = await this.request<{ dev_sign_in?: unknown } | null>('GET', '/healthz', {
        anonymous: true,
        quiet: true,
        outsideV1: true,
      });
      return typeof health?.dev_sign_in === 'boolean' ? health.dev_sign_in : null;
    } catch {
      return null;
    }
  }

  /** Checks that the server accepts `token` (a pasted JWT) with an authenticated `GET`. */
  async checkToken(token: string): Promise<void> {
    await this.request('GET', '/ice-servers', { token, quiet: true });
  }

  /** `POST /v1/dev/token`; a 404 means the server is not in `--dev` mode. */
  async devToken(claims: { org: string; sub: string; role: Role; name: string }): Promise<string> {
    try {
      const res = await this.request<{ token: string }>('POST', '/dev/token', {
        body: claims,
        anonymous: true,
      });
      return res.token;
    } catch (e) {
      if (e instanceof SwitchboardError && e.status === 404) {
        throw new SwitchboardError({ code: ErrorCode.DevModeOff, status: 404, cause: e });
      }
      throw e;
    }
  }
}
