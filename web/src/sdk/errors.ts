/**
 * Errors as classes with a reason enum (LiveKit "reasoned" errors). Every wire error code of
 * CONTRACT.md section 2 has a reason here, plus the few failures that only the browser sees.
 * `friendly` is what a person reads; `serverMessage` is the server's own sentence (kept for logs).
 */
export enum ErrorCode {
  // Wire codes, 1:1 with CONTRACT.md section 2.
  InvalidRequest = 'invalid_request',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  CallAlreadyTaken = 'call_already_taken',
  InvalidTransition = 'invalid_transition',
  CallInProgress = 'call_in_progress',
  NoStaffAvailable = 'no_staff_available',
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

export const WIRE_ERROR_CODES: readonly ErrorCode[] = [
  ErrorCode.InvalidRequest,
  ErrorCode.Unauthenticated,
  ErrorCode.Forbidden,
  ErrorCode.NotFound,
  ErrorCode.CallAlreadyTaken,
  ErrorCode.InvalidTransition,
  ErrorCode.CallInProgress,
  ErrorCode.NoStaffAvailable,
  ErrorCode.PayloadTooLarge,
  ErrorCode.RateLimited,
  ErrorCode.Unavailable,
];

const FRIENDLY: Record<ErrorCode, string> = {
  [ErrorCode.InvalidRequest]: 'Something in that request was not right. Please try again.',
  [ErrorCode.Unauthenticated]: 'Your session has expired. Please sign in again.',
  [ErrorCode.Forbidden]: 'You are not allowed to do that.',
  [ErrorCode.NotFound]: 'That call no longer exists.',
  [ErrorCode.CallAlreadyTaken]: 'Someone else already answered this call.',
  [ErrorCode.InvalidTransition]: 'That is no longer possible: the call has moved on.',
  [ErrorCode.CallInProgress]: 'You already have a call in progress.',
  [ErrorCode.NoStaffAvailable]:
    'Nobody is available to take your call right now. Please try again in a moment.',
  [ErrorCode.PayloadTooLarge]: 'That message is too large to send.',
  [ErrorCode.RateLimited]: 'Too many attempts. Please wait a moment and try again.',
  [ErrorCode.Unavailable]: 'The service is having trouble right now. Please try again shortly.',
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
  return FRIENDLY[code as ErrorCode] ?? FRIENDLY[ErrorCode.Unknown];
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
        typeof err?.retryable === 'boolean' ? err.retryable : status >= 500 || status === 429,
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
