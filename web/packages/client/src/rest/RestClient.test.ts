import { describe, expect, it } from 'vitest';
import { ErrorCode, friendlyMessage, SwitchboardError, WIRE_ERROR_CODES } from '../errors';
import { fakeFetch, makeCall } from '../test/fakes';
import { RestClient } from './RestClient';

const STATUS: Record<string, number> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  call_already_taken: 409,
  invalid_transition: 409,
  call_in_progress: 409,
  no_staff_available: 409,
  queue_full: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

describe('RestClient error mapping', () => {
  it('knows every wire code of the contract', () => {
    expect(new Set(WIRE_ERROR_CODES)).toEqual(new Set(Object.keys(STATUS)));
  });

  for (const code of WIRE_ERROR_CODES) {
    it(`maps ${code} to its own friendly message`, async () => {
      const { fetch } = fakeFetch({
        'POST /calls': {
          status: STATUS[code],
          body: {
            error: {
              code,
              message: 'server words',
              retryable: code === ErrorCode.Unavailable,
              details: { state: 'ended' },
            },
          },
          headers: {
            'X-Request-Id': 'req-1',
            ...(code === ErrorCode.RateLimited ? { 'Retry-After': '3' } : {}),
          },
        },
      });
      const rest = new RestClient({ getToken: () => 't', fetch, baseUrl: 'http://x' });
      const err = await rest.createCall({}, 'k').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SwitchboardError);
      const e = err as SwitchboardError;
      expect(e.code).toBe(code);
      expect(e.status).toBe(STATUS[code]);
      expect(e.friendly).toBe(friendlyMessage(code));
      expect(e.friendly).not.toBe(friendlyMessage(ErrorCode.Unknown));
      expect(e.serverMessage).toBe('server words');
      expect(e.details).toEqual({ state: 'ended' });
      expect(e.requestId).toBe('req-1');
      if (code === ErrorCode.RateLimited) expect(e.retryAfterS).toBe(3);
      if (code === ErrorCode.Unavailable) expect(e.retryable).toBe(true);
    });
  }

  it('falls back on the status when the body is not the contract shape', async () => {
    const { fetch } = fakeFetch({ 'GET /calls/x': { status: 502, body: 'Bad gateway' } });
    const err = (await new RestClient({ getToken: () => 't', fetch })
      .getCall('x')
      .catch((e: unknown) => e)) as SwitchboardError;
    expect(err.code).toBe(ErrorCode.Unavailable);
    expect(err.retryable).toBe(true);
  });

  it('reports a network failure as retryable', async () => {
    const fetch = (() =>
      Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof globalThis.fetch;
    const err = (await new RestClient({ getToken: () => 't', fetch })
      .getCall('x')
      .catch((e: unknown) => e)) as SwitchboardError;
    expect(err.code).toBe(ErrorCode.Network);
    expect(err.retryable).toBe(true);
  });

  it('sends the bearer token, the idempotency key and JSON', async () => {
    const { fetch, requests } = fakeFetch({ 'POST /calls': { status: 201, body: makeCall() } });
    const call = await new RestClient({ getToken: () => 'jwt', fetch }).createCall(
      { media: { audio: true, video: true } },
      'key-1',
    );
    expect(call.id).toBe('call-1');
    expect(requests[0]?.headers.Authorization).toBe('Bearer jwt');
    expect(requests[0]?.headers['Idempotency-Key']).toBe('key-1');
    expect(requests[0]?.body).toEqual({ media: { audio: true, video: true } });
  });

  it('says dev sign-in is off when /v1/dev/token answers 404', async () => {
    const { fetch, requests } = fakeFetch({});
    const err = (await new RestClient({ getToken: () => 'x', fetch })
      .devToken({ org: 'o', sub: 's', role: 'client', name: 'n' })
      .catch((e: unknown) => e)) as SwitchboardError;
    expect(err.code).toBe(ErrorCode.DevModeOff);
    expect(err.friendly).toMatch(/--dev/);
    expect(requests[0]?.headers.Authorization).toBeUndefined();
  });

  it('tells whether the server offers dev sign-in from /healthz, an answer that is not an error', async () => {
    const probe = async (route: { status: number; body?: unknown }) => {
      const { fetch, requests } = fakeFetch({ 'GET /healthz': route });
      const answer = await new RestClient({ getToken: () => 'x', fetch }).devSignInAvailable();
      expect(requests).toHaveLength(1);
      expect(requests[0]?.headers.Authorization).toBeUndefined();
      return answer;
    };
    expect(await probe({ status: 200, body: { status: 'ok', dev_sign_in: true } })).toBe(true);
    expect(await probe({ status: 200, body: { status: 'ok', dev_sign_in: false } })).toBe(false);
    expect(await probe({ status: 200, body: { status: 'ok' } })).toBeNull(); // an older server
    expect(
      await probe({
        status: 503,
        body: { error: { code: 'unavailable', message: 'x', retryable: true } },
      }),
    ).toBeNull();
  });

  it('asks /healthz at the server root, not under /v1', async () => {
    const urls: string[] = [];
    const fetch = (input: string | URL | Request): Promise<Response> => {
      urls.push(input instanceof Request ? input.url : input.toString());
      return Promise.resolve(new Response(JSON.stringify({ status: 'ok', dev_sign_in: true })));
    };
    await new RestClient({
      baseUrl: 'https://sb.example',
      getToken: () => null,
      fetch,
    }).devSignInAvailable();
    expect(urls).toEqual(['https://sb.example/healthz']);
  });

  it('checks a pasted token with that token, not the stored one', async () => {
    const { fetch, requests } = fakeFetch({
      'GET /ice-servers': { status: 200, body: { ice_servers: [], ttl_s: 60 } },
    });
    await new RestClient({ getToken: () => 'stored', fetch }).checkToken('pasted');
    expect(requests[0]?.headers.Authorization).toBe('Bearer pasted');
  });

  it('reports connected with the selected candidate type, or with no body when unknown', async () => {
    const { fetch, requests } = fakeFetch({
      'POST /calls/call-1/connected': { status: 200, body: makeCall({ state: 'active' }) },
    });
    const rest = new RestClient({ getToken: () => 't', fetch });
    await rest.connected('call-1', 'relay');
    await rest.connected('call-1', null);
    expect(requests[0]?.body).toEqual({ candidate_type: 'relay' });
    expect(requests[0]?.headers['Content-Type']).toBe('application/json');
    expect(requests[1]?.body).toBeUndefined();
  });

  it('maps media errors to reasons', () => {
    expect(SwitchboardError.fromMediaError({ name: 'NotAllowedError' }).code).toBe(
      ErrorCode.PermissionDenied,
    );
    expect(SwitchboardError.fromMediaError({ name: 'NotFoundError' }).code).toBe(
      ErrorCode.DeviceNotFound,
    );
    expect(SwitchboardError.fromMediaError({ name: 'NotReadableError' }).code).toBe(
      ErrorCode.DeviceInUse,
    );
  });
});
