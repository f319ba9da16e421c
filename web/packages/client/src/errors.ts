/**
 * Errors as classes with a reason enum (LiveKit "reasoned" errors). The wire error codes, their
 * HTTP status, whether they are retryable and the sentence a person reads all come from
 * `spec/errors.json`, the file the C++ server's table is generated from; the few failures that
 * only the browser sees are added here. `friendly` is what a person reads; `serverMessage` is
 * the server's own sentence (kept for logs).
 */
import errorsJson from '../../../../spec/errors.json';

export interface WireErrorSpec {
  code: string;
  status: number;
  retryable: boolean;
  message: string;
  when: string;
}

/** Typed, not cast: tsc checks the JSON has this shape. */
export const errorsSpec: { version: number; codes: WireErrorSpec[] } = errorsJson;

export enum ErrorCode {
  // Wire codes: exactly the codes of spec/errors.json (checked by errors.test.ts).
  InvalidRequest = 'invalid_request',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  CallAlreadyTaken = 'call_already_taken',
  InvalidTransition = 'invalid_transition',
  CallInProgress = 'call_in_progress',
  NoStaffAvailable = 'no_staff_available',
  QueueFull = 'queue_full',
  PayloadTooLarge = 'payload_too_large',
  RateLimited = 'rate_limited',
  Unavailable = 'unavailable',
  // Browser-side failures.
  Network = 'network',
  Timeout = 'timeout',
  PermissionDenied = 'permission_denied',
  DeviceNotFound = 'device_not_found',
  DeviceInUse = 'device_in_use',
  MediaFailed = 'media_failed',
  DevModeOff = 'dev_mode_off',
  Unknown = 'unknown',
}

const wireSpecs = new Map(errorsSpec.codes.map((c) => [c.code, c]));

export const WIRE_ERROR_CODES: readonly ErrorCode[] = errorsSpec.codes.map(
  (c) => c.code as ErrorCode,
);

/** The spec's entry for a wire code; undefined for the browser-side ones. */
export function wireErrorSpec(code: ErrorCode | string): WireErrorSpec | undefined {
  return wireSpecs.get(code);
}

type BrowserErrorCode =
  | ErrorCode.Network
  | ErrorCode.Timeout
  | ErrorCode.PermissionDenied
  | ErrorCode.DeviceNotFound
  | ErrorCode.DeviceInUse
  | ErrorCode.MediaFailed
  | ErrorCode.DevModeOff
  | ErrorCode.Unknown;

const BROWSER_MESSAGES: Record<BrowserErrorCode, string> = {
  [ErrorCode.Network]: 'We could not reach the server. Check your connection and try again.',
  [ErrorCode.Timeout]: 'The server took too long to answer. Please try again.',
  [ErrorCode.PermissionDenied]: 'Camera and microphone access is blocked.',
  [ErrorCode.DeviceNotFound]: 'No camera or microphone was found.',
  [ErrorCode.DeviceInUse]: 'Your camera or microphone is being used by another app.',
  [ErrorCode.MediaFailed]: 'The connection for audio and video could not be established.',
  [ErrorCode.DevModeOff]:
    'Dev sign-in is off: this server was not started with --dev. Open this page with ?token=<your JWT> instead.',
  [ErrorCode.Unknown]: 'Something went wrong. Please try again.',
};

export function friendlyMessage(code: ErrorCode | string): string {
  return (
    wireErrorSpec(code)?.message ??
    BROWSER_MESSAGES[code as BrowserErrorCode] ??
    BROWSER_MESSAGES[ErrorCode.Unknown]
  );
}

export function isErrorCode(code: string): code is ErrorCode {
  return (Object.values(ErrorCode) as string[]).includes(code);
}

export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  readonly friendly: string;
  readonly retryable: boolean;
  readonly status: number | null;
  readonly serverMessage: string | null;
  readonly details: Record<string, unknown> | null;
  readonly retryAfterS: number | null;
  readonly requestId: string | null;

  constructor(init: {
    code: ErrorCode;
    status?: number | null;
    retryable?: boolean;
    serverMessage?: string | null;
    details?: Record<string, unknown> | null;
    retryAfterS?: number | null;
    requestId?: string | null;
    cause?: unknown;
  }) {
    const friendly = friendlyMessage(init.code);
    super(friendly, { cause: init.cause });
    this.name = 'SwitchboardError';
    this.code = init.code;
    this.friendly = friendly;
    this.status = init.status ?? null;
    this.retryable = init.retryable ?? false;
    this.serverMessage = init.serverMessage ?? null;
    this.details = init.details ?? null;
    this.retryAfterS = init.retryAfterS ?? null;
    this.requestId = init.requestId ?? null;
  }

  /** Builds the error from a non-2xx answer's status and parsed body (section 2). */
  static fromResponse(
    status: number,
    body: unknown,
    headers?: { get(name: string): string | null },
  ): SwitchboardError {
    const err = (body as { error?: Record<string, unknown> } | null)?.error;
    const rawCode = typeof err?.code === 'string' ? err.code : null;
    let code = rawCode && isErrorCode(rawCode) ? rawCode : null;
    if (!code) code = codeFromStatus(status);
    const retryAfter = headers?.get('Retry-After');
    return new SwitchboardError({
      code,
      status,
      retryable:
        typeof err?.retryable === 'boolean'
          ? err.retryable
          : (wireErrorSpec(code)?.retryable ?? (status >= 500 || status === 429)),
      serverMessage: typeof err?.message === 'string' ? err.message : null,
      details: (err?.details as Record<string, unknown> | undefined) ?? null,
      retryAfterS: retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null,
      requestId: headers?.get('X-Request-Id') ?? null,
    });
  }

  static network(cause?: unknown): SwitchboardError {
    return new SwitchboardError({ code: ErrorCode.Network, retryable: true, cause });
  }

  static timeout(cause?: unknown): SwitchboardError {
    return new SwitchboardError({ code: ErrorCode.Timeout, retryable: true, cause });
  }

  /** Maps a getUserMedia / getDisplayMedia DOMException to a reason. */
  static fromMediaError(e: unknown): SwitchboardError {
    const name = (e as { name?: string } | null)?.name;
    let code = ErrorCode.MediaFailed;
    if (name === 'NotAllowedError' || name === 'SecurityError') code = ErrorCode.PermissionDenied;
    else if (name === 'NotFoundError' || name === 'OverconstrainedError')
      code = ErrorCode.DeviceNotFound;
    else if (name === 'NotReadableError' || name === 'AbortError') code = ErrorCode.DeviceInUse;
    return new SwitchboardError({ code, cause: e });
  }
}

function codeFromStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return ErrorCode.InvalidRequest;
    case 401:
      return ErrorCode.Unauthenticated;
    case 403:
      return ErrorCode.Forbidden;
    case 404:
      return ErrorCode.NotFound;
    case 409:
      return ErrorCode.InvalidTransition;
    case 413:
      return ErrorCode.PayloadTooLarge;
    case 429:
      return ErrorCode.RateLimited;
    case 502:
    case 503:
    case 504:
      return ErrorCode.Unavailable;
    default:
      return ErrorCode.Unknown;
  }
}
