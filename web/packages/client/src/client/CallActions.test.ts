/** The call actions through the client that exposes them, on a fake server and fake devices. */
import { beforeEach, describe, expect, it } from 'vitest';
import { CallPhase } from '../call/phases';
import { RestClient } from '../rest/RestClient';
import { SwitchboardClient } from '../SwitchboardClient';
import { connectedClient as setup, staffUser } from '../test/client';
import { FakeSocket, fakeFetch, makeCall, type FakeRoute } from '../test/fakes';
import { FakeDevices, flush } from '../test/media';

beforeEach(() => {
  FakeSocket.instances = [];
});

describe('CallActions, caller', () => {
  it('places a call: permission already granted, so straight to ringing', async () => {
    const { client, ws, requests } = setup('client', {
      'POST /calls': { status: 201, body: makeCall() },
    });
    ws.welcome();
    await client.placeCall();
    expect(client.store.phase).toBe(CallPhase.Ringing);
    expect(requests.find((r) => r.path === '/calls')?.headers['Idempotency-Key']).toBeTruthy();
    expect(client.getMediaSnapshot().local).not.toBeNull();
  });

  it('explains first when the browser will prompt, and shows the help when denied', async () => {
    const { client, ws, requests } = setup('client', {}, new FakeDevices('prompt', true));
    ws.welcome();
    await client.placeCall();
    expect(client.store.phase).toBe(CallPhase.RequestingPermission);
    await client.allowMedia();
    expect(client.store.phase).toBe(CallPhase.PermissionDenied);
    expect(client.store.getSnapshot().error?.code).toBe('permission_denied');
    expect(requests.filter((r) => r.path === '/calls')).toHaveLength(0);
  });

  it('skips the explanation when access is already denied: straight to the help', async () => {
    const { client, ws } = setup('client', {}, new FakeDevices('denied', true));
    ws.welcome();
    await client.placeCall();
    expect(client.store.phase).toBe(CallPhase.PermissionDenied);
  });

  it('calls audio-only when only the camera is refused', async () => {
    const devices = new FakeDevices('denied');
    devices.denyCamera = true;
    const { client, ws } = setup(
      'client',
      { 'POST /calls': { status: 201, body: makeCall() } },
      devices,
    );
    ws.welcome();
    await client.placeCall();
    expect(client.store.phase).toBe(CallPhase.Ringing);
    expect(client.getMediaSnapshot()).toMatchObject({ cameraOn: false, cameraProblem: 'blocked' });
  });

  it('rolls back to idle with a friendly error when nobody can be rung', async () => {
    const { client, ws, notices } = setup('client', {
      'POST /calls': {
        status: 409,
        body: { error: { code: 'no_staff_available', message: 'x', retryable: true } },
      },
    });
    ws.welcome();
    await client.placeCall();
    expect(client.store.phase).toBe(CallPhase.Idle);
    expect(client.store.getSnapshot().error?.friendly).toMatch(/Nobody is available/);
    expect(notices).toHaveLength(0);
    expect(client.getMediaSnapshot().local).toBeNull(); // Camera released.
  });

  it('retries a lost create with the same idempotency key', async () => {
    let n = 0;
    const { fetch, requests } = fakeFetch({});
    const flaky = ((input: string, init: RequestInit) => {
      if (n++ === 0) return Promise.reject(new TypeError('network'));
      void fetch(input, init);
      return Promise.resolve(new Response(JSON.stringify(makeCall()), { status: 201 }));
    }) as unknown as typeof globalThis.fetch;
    const client = new SwitchboardClient({
      role: 'client',
      getToken: () => 'jwt',
      createSocket: (url) => new FakeSocket(url),
      rest: new RestClient({ getToken: () => 'jwt', fetch: flaky }),
      devices: new FakeDevices(),
    });
    await client.placeCall();
    expect(client.store.phase).toBe(CallPhase.Ringing);
    expect(requests).toHaveLength(1);
  });

  it('rejoins the call the server says is already in progress instead of failing', async () => {
    const { client, ws } = setup('client', {
      'POST /calls': {
        status: 409,
        body: {
          error: {
            code: 'call_in_progress',
            message: 'x',
            retryable: false,
            details: { call_id: 'call-7' },
          },
        },
      },
      'GET /calls/call-7': { status: 200, body: makeCall({ id: 'call-7' }) },
    });
    ws.welcome();
    await client.placeCall();
    expect(client.store.phase).toBe(CallPhase.Ringing);
    expect(client.store.getSnapshot().current?.id).toBe('call-7');
    expect(client.store.getSnapshot().error).toBeNull();
    expect(client.getMediaSnapshot().local).not.toBeNull(); // The camera stays for that call.
  });

  it('cancels a ringing call optimistically and rolls back when refused', async () => {
    const { client, ws, notices } = setup('client', {
      'POST /calls': { status: 201, body: makeCall() },
      'POST /calls/call-1/cancel': {
        status: 503,
        body: { error: { code: 'unavailable', message: 'x', retryable: true } },
      },
    });
    ws.welcome();
    await client.placeCall();
    const p = client.hangUp();
    expect(client.store.getSnapshot().current?.state).toBe('cancelled');
    await p;
    expect(client.store.getSnapshot().current?.state).toBe('ringing');
    expect(client.store.phase).toBe(CallPhase.Ringing);
    expect(notices.at(-1)?.kind).toBe('error');
  });
});

describe('CallActions, staff', () => {
  it('loses the accept race: rolls back, closes the ring, says who answered', async () => {
    const { client, ws, notices } = setup('staff', {
      'POST /calls/call-1/accept': {
        status: 409,
        body: { error: { code: 'call_already_taken', message: 'x', retryable: false } },
      },
    });
    ws.welcome(staffUser);
    ws.serverSend({ type: 'call.incoming', call: makeCall() });
    expect(client.store.getSnapshot().incoming).toHaveLength(1);
    const p = client.accept('call-1');
    expect(client.store.phase).toBe(CallPhase.Accepting);
    ws.serverSend({
      type: 'call.updated',
      call: makeCall({ state: 'accepted', version: 2, staff: { id: 'st-ana', name: 'Ana' } }),
    });
    await p;
    expect(client.store.phase).toBe(CallPhase.Idle);
    expect(client.store.getSnapshot().incoming).toHaveLength(0);
    expect(notices.map((n) => n.text)).toContain('Answered by Ana');
  });

  it('a ring that was stopped for us: the accept closes it with a plain notice', async () => {
    const { client, ws, notices } = setup('staff', {
      'POST /calls/call-1/accept': {
        status: 409,
        body: {
          error: {
            code: 'invalid_transition',
            message: 'x',
            retryable: false,
            details: { state: 'ringing', ring: 'stopped' },
          },
        },
      },
    });
    ws.welcome(staffUser);
    ws.serverSend({ type: 'call.incoming', call: makeCall() });
    await client.accept('call-1');
    expect(client.store.phase).toBe(CallPhase.Idle);
    expect(client.store.getSnapshot().incoming).toHaveLength(0);
    expect(notices.at(-1)).toMatchObject({
      kind: 'info',
      text: 'That call is no longer ringing for you.',
    });
  });

  it('ignores an accept while already accepting (guard)', async () => {
    const { client, ws, requests } = setup('staff', {
      'POST /calls/call-1/accept': {
        status: 409,
        body: { error: { code: 'invalid_transition', message: 'x', retryable: false } },
      },
    });
    ws.welcome(staffUser);
    ws.serverSend({ type: 'call.incoming', call: makeCall() });
    ws.serverSend({ type: 'call.incoming', call: makeCall({ id: 'call-2' }) });
    const p = client.accept('call-1');
    await client.accept('call-2');
    await p;
    expect(requests.filter((r) => r.path.endsWith('/accept'))).toHaveLength(1);
  });

  it('declines optimistically', async () => {
    const { client, ws, requests } = setup('staff', {
      'POST /calls/call-1/decline': { status: 200, body: makeCall() },
    });
    ws.welcome(staffUser);
    ws.serverSend({ type: 'call.incoming', call: makeCall() });
    const p = client.decline('call-1');
    expect(client.store.getSnapshot().incoming).toHaveLength(0);
    await p;
    expect(requests.some((r) => r.method === 'POST' && r.path === '/calls/call-1/decline')).toBe(
      true,
    );
  });
});

describe('CallActions, feedback', () => {
  /** A caller whose call ended (cancelled): the summary is up. */
  async function endedCall(feedback: () => Promise<FakeRoute>) {
    const ctx = setup('client', {
      'POST /calls': { status: 201, body: makeCall() },
      'GET /calls/call-1': {
        status: 200,
        body: makeCall({ state: 'cancelled', version: 2, end_reason: 'caller_cancelled' }),
      },
      'POST /calls/call-1/feedback': feedback,
    });
    ctx.ws.welcome();
    await ctx.client.placeCall();
    ctx.ws.serverSend({
      type: 'call.updated',
      call: makeCall({ state: 'cancelled', version: 2, end_reason: 'caller_cancelled' }),
    });
    await flush();
    expect(ctx.client.store.getSnapshot().summary?.callId).toBe('call-1');
    return ctx;
  }

  const summary = (client: SwitchboardClient) => client.store.getSnapshot().summary!;

  it('says thanks only once the server answered 200', async () => {
    let answer!: (r: FakeRoute) => void;
    const { client, requests } = await endedCall(
      () => new Promise<FakeRoute>((res) => (answer = res)),
    );
    const sending = client.sendFeedback({ score: 4, issues: [] });
    await flush();
    expect(summary(client).feedbackSending).toBe(true);
    expect(summary(client).feedbackSent).toBe(false); // No thanks while the request is out.
    expect(await client.sendFeedback({ score: 4, issues: [] })).toBe(false); // No double send.
    answer({ status: 200, body: { call_id: 'call-1', score: 4, issues: [], comment: '' } });
    expect(await sending).toBe(true);
    expect(summary(client)).toMatchObject({
      feedbackSent: true,
      feedbackSending: false,
      feedbackError: null,
    });
    expect(requests.filter((r) => r.path === '/calls/call-1/feedback')).toHaveLength(1);
  });

  it('shows a clear error when the server refuses, and a retry can succeed', async () => {
    const answers: FakeRoute[] = [
      { status: 503, body: { error: { code: 'unavailable', message: 'x', retryable: true } } },
      { status: 200, body: { call_id: 'call-1', score: 2, issues: ['audio'], comment: '' } },
    ];
    const { client, requests } = await endedCall(() => Promise.resolve(answers.shift()!));
    expect(await client.sendFeedback({ score: 2, issues: ['audio'] })).toBe(false);
    expect(summary(client)).toMatchObject({ feedbackSent: false, feedbackSending: false });
    expect(summary(client).feedbackError).toMatch(/having trouble/);
    expect(await client.sendFeedback({ score: 2, issues: ['audio'] })).toBe(true);
    expect(summary(client)).toMatchObject({ feedbackSent: true, feedbackError: null });
    expect(requests.filter((r) => r.path === '/calls/call-1/feedback')).toHaveLength(2);
  });
});
