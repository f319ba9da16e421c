/** The board topic (docs/asyncapi.yaml) over a real SignalingClient and a fake WebSocket. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../errors';
import { immediateReconnect } from '../signaling/ReconnectPolicy';
import { SignalingClient, SignalingState } from '../signaling/SignalingClient';
import { FakeSocket, makeStaff } from '../test/fakes';
import type { StaffEntry } from '../types';
import { BoardSubscription, type BoardSnapshot } from './BoardSubscription';

const STAFF_USER = { id: 'ana', org: 'org-a', role: 'staff', name: 'Ana' };
const CLIENT_USER = { id: 'cli-1', org: 'org-a', role: 'client', name: 'Carla' };

function setup() {
  const signaling = new SignalingClient({
    url: 'ws://test/v1/ws',
    getToken: () => 'jwt',
    createSocket: (url) => new FakeSocket(url),
    reconnectPolicy: immediateReconnect,
  });
  const board = new BoardSubscription(signaling, { retryMs: 1000 });
  const changes: BoardSnapshot[] = [];
  board.on('change', (s) => changes.push(s));
  return { signaling, board, changes };
}

function connect(signaling: SignalingClient, user = STAFF_USER): FakeSocket {
  if (signaling.state === SignalingState.Idle) signaling.connect();
  else vi.advanceTimersByTime(0); // the reconnect timer
  const ws = FakeSocket.latest();
  ws.serverOpen();
  ws.welcome(user);
  return ws;
}

/** The board messages the browser sent on `ws`, without their seq. */
function topicMessages(ws: FakeSocket): string[] {
  return ws.sent
    .filter((m) => m.topic === 'board')
    .map((m) => `${String(m.type)}:${String(m.topic)}`);
}

function board(staff: StaffEntry[], seq = 1, queue = 0) {
  return { type: 'board', staff, queue: { length: queue }, seq };
}

function boardUpdated(staff: StaffEntry[], seq: number, queue = 0) {
  return { type: 'board.updated', staff, queue: { length: queue }, seq };
}

const rows = (s: BoardSnapshot) => s.staff?.map((e) => `${e.id}:${e.status}:${e.state}`) ?? null;

describe('BoardSubscription', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('subscribes once the connection opens, then shows the snapshot and the queue', () => {
    const { signaling, board: b, changes } = setup();
    b.subscribe();
    expect(b.getSnapshot().status).toBe('subscribing');
    const ws = connect(signaling);
    const subscribe = ws.sent.find((m) => m.type === 'subscribe');
    expect(subscribe).toMatchObject({ type: 'subscribe', topic: 'board' });
    expect(typeof subscribe?.seq).toBe('number');
    expect(b.getSnapshot().staff).toBeNull();

    ws.serverSend(board([makeStaff('ana'), makeStaff('ben', { status: 'away' })], 1, 3));
    const s = b.getSnapshot();
    expect(s.status).toBe('live');
    expect(rows(s)).toEqual(['ana:available:idle', 'ben:away:idle']);
    expect(s.queueLength).toBe(3);
    expect(s.error).toBeNull();
    expect(changes.at(-1)).toBe(s);
  });

  it('replaces every entry with a new snapshot', () => {
    const { signaling, board: b } = setup();
    b.subscribe();
    const ws = connect(signaling);
    ws.serverSend(board([makeStaff('ana'), makeStaff('ben')]));
    ws.serverSend(board([makeStaff('cleo', { state: 'in_call' })]));
    expect(rows(b.getSnapshot())).toEqual(['cleo:available:in_call']);
  });

  it('merges board.updated by id: changed rows replaced in place, newcomers last, others kept', () => {
    const { signaling, board: b } = setup();
    b.subscribe();
    const ws = connect(signaling);
    ws.serverSend(board([makeStaff('ana'), makeStaff('ben')], 1, 0));
    const before = b.getSnapshot().staff;
    ws.serverSend(boardUpdated([makeStaff('ana', { state: 'ringing' }), makeStaff('dan')], 2, 1));
    const s = b.getSnapshot();
    expect(rows(s)).toEqual(['ana:available:ringing', 'ben:available:idle', 'dan:available:idle']);
    expect(s.queueLength).toBe(1);
    expect(s.staff).not.toBe(before); // a new list for each change (useSyncExternalStore)
    expect(before?.[0].state).toBe('idle');
    ws.serverSend(boardUpdated([makeStaff('ben', { status: 'away' })], 3, 0));
    expect(rows(b.getSnapshot())).toEqual([
      'ana:available:ringing',
      'ben:away:idle',
      'dan:available:idle',
    ]);
    expect(b.getSnapshot().queueLength).toBe(0);
  });

  it('counts every board message in revision, one that changes only the queue included', () => {
    const { signaling, board: b } = setup();
    b.subscribe();
    expect(b.getSnapshot().revision).toBe(0);
    const ws = connect(signaling);
    ws.serverSend(board([makeStaff('ana', { state: 'in_call' })], 1, 0));
    expect(b.getSnapshot().revision).toBe(1);
    // A call joins the queue while ana stays in her call, and another takes its place.
    ws.serverSend(boardUpdated([], 2, 1));
    expect(b.getSnapshot().revision).toBe(2);
    ws.serverSend(boardUpdated([], 3, 1));
    const s = b.getSnapshot();
    expect(s.revision).toBe(3);
    expect(s.queueLength).toBe(1);
    expect(rows(s)).toEqual(['ana:available:in_call']);
    // Her own availability.updated is not a board message.
    ws.serverSend({ type: 'availability.updated', staff: makeStaff('ana', { state: 'wrap_up' }) });
    expect(b.getSnapshot().revision).toBe(3);
  });

  it('resubscribes on a seq gap and ignores updates until the fresh snapshot', () => {
    const { signaling, board: b } = setup();
    b.subscribe();
    const ws = connect(signaling);
    ws.serverSend(board([makeStaff('ana'), makeStaff('ben')]));
    ws.serverSend(boardUpdated([makeStaff('ana', { state: 'ringing' })], 2));
    expect(topicMessages(ws)).toEqual(['subscribe:board']);

    ws.serverSend(boardUpdated([makeStaff('ben', { state: 'in_call' })], 4)); // 3 was lost
    expect(topicMessages(ws)).toEqual(['subscribe:board', 'unsubscribe:board', 'subscribe:board']);
    expect(b.getSnapshot().status).toBe('subscribing');
    // The rows shown meanwhile are the last good ones, not the update after the gap.
    expect(rows(b.getSnapshot())).toEqual(['ana:available:ringing', 'ben:available:idle']);

    ws.serverSend(boardUpdated([makeStaff('ben', { status: 'away' })], 5)); // old stream
    expect(rows(b.getSnapshot())).toEqual(['ana:available:ringing', 'ben:available:idle']);

    ws.serverSend(
      board([makeStaff('ana', { state: 'ringing' }), makeStaff('ben', { state: 'in_call' })]),
    );
    expect(b.getSnapshot().status).toBe('live');
    ws.serverSend(boardUpdated([makeStaff('ana', { state: 'in_call' })], 2));
    expect(rows(b.getSnapshot())).toEqual(['ana:available:in_call', 'ben:available:in_call']);
    expect(topicMessages(ws)).toHaveLength(3);
  });

  it('treats a repeated seq as a gap too', () => {
    const { signaling, board: b } = setup();
    b.subscribe();
    const ws = connect(signaling);
    ws.serverSend(board([makeStaff('ana')]));
    ws.serverSend(boardUpdated([makeStaff('ana', { state: 'ringing' })], 2));
    ws.serverSend(boardUpdated([makeStaff('ana', { state: 'idle' })], 2));
    expect(topicMessages(ws).slice(-2)).toEqual(['unsubscribe:board', 'subscribe:board']);
    expect(rows(b.getSnapshot())).toEqual(['ana:available:ringing']);
  });

  it('subscribes again on the new connection after a reconnect', () => {
    const { signaling, board: b } = setup();
    b.subscribe();
    const ws1 = connect(signaling);
    ws1.serverSend(board([makeStaff('ana'), makeStaff('ben')]));
    ws1.serverSend(boardUpdated([makeStaff('ben', { status: 'away' })], 2));

    ws1.serverClose(1006);
    expect(b.getSnapshot().status).toBe('subscribing');
    expect(rows(b.getSnapshot())).toEqual(['ana:available:idle', 'ben:away:idle']); // kept

    const ws2 = connect(signaling);
    expect(ws2).not.toBe(ws1);
    expect(topicMessages(ws2)).toEqual(['subscribe:board']);
    // Nothing applies before this connection's snapshot, whose seq starts again at 1.
    ws2.serverSend(boardUpdated([makeStaff('ana', { state: 'ringing' })], 3));
    expect(rows(b.getSnapshot())).toEqual(['ana:available:idle', 'ben:away:idle']);
    expect(topicMessages(ws2)).toEqual(['subscribe:board']);
    ws2.serverSend(board([makeStaff('ben', { status: 'away' }), makeStaff('cleo')]));
    expect(b.getSnapshot().status).toBe('live');
    expect(rows(b.getSnapshot())).toEqual(['ben:away:idle', 'cleo:available:idle']);
    ws2.serverSend(boardUpdated([makeStaff('cleo', { state: 'wrap_up' })], 2));
    expect(rows(b.getSnapshot())).toEqual(['ben:away:idle', 'cleo:available:wrap_up']);
  });

  it('unsubscribe stops the updates, forgets the rows and is not undone by a reconnect', () => {
    const { signaling, board: b, changes } = setup();
    b.subscribe();
    const ws = connect(signaling);
    ws.serverSend(board([makeStaff('ana')], 1, 2));
    b.unsubscribe();
    expect(topicMessages(ws)).toEqual(['subscribe:board', 'unsubscribe:board']);
    expect(b.getSnapshot()).toEqual({
      status: 'off',
      staff: null,
      queueLength: null,
      revision: 1, // Never goes back: it says when to read again, not what.
      error: null,
    });

    const seen = changes.length;
    ws.serverSend(boardUpdated([makeStaff('ana', { state: 'ringing' })], 2)); // already in flight
    ws.serverSend({ type: 'availability.updated', staff: makeStaff('ana', { status: 'away' }) });
    ws.serverSend(board([makeStaff('ana')])); // a late answer to a subscribe
    expect(changes).toHaveLength(seen);
    expect(b.getSnapshot().staff).toBeNull();

    ws.serverClose(1006);
    const ws2 = connect(signaling);
    expect(topicMessages(ws2)).toEqual([]);
  });

  it('merges the own availability.updated at once, once there is a snapshot', () => {
    const { signaling, board: b } = setup();
    b.subscribe();
    const ws = connect(signaling);
    ws.serverSend({ type: 'availability.updated', staff: makeStaff('ana', { status: 'away' }) });
    expect(b.getSnapshot().staff).toBeNull(); // the snapshot to come is newer

    ws.serverSend(board([makeStaff('ana', { status: 'away' }), makeStaff('ben')]));
    ws.serverSend({ type: 'availability.updated', staff: makeStaff('ana') });
    expect(rows(b.getSnapshot())).toEqual(['ana:available:idle', 'ben:available:idle']);
    // It is not a board message: the next board.updated still follows seq 1.
    ws.serverSend(boardUpdated([makeStaff('ben', { state: 'ringing' })], 2));
    expect(b.getSnapshot().status).toBe('live');
    expect(rows(b.getSnapshot())).toEqual(['ana:available:idle', 'ben:available:ringing']);
  });

  it('surfaces forbidden when a client subscribes, and does not ask again on that connection', () => {
    const { signaling, board: b } = setup();
    b.subscribe();
    const ws = connect(signaling, CLIENT_USER);
    const ref = ws.sent.find((m) => m.type === 'subscribe')?.seq;
    // An error about something else (another message's seq) is not the answer.
    ws.serverSend({ type: 'error', code: 'forbidden', message: 'Not yours.', ref: 99 });
    expect(b.getSnapshot().status).toBe('subscribing');

    ws.serverSend({ type: 'error', code: 'forbidden', message: 'Staff only.', ref });
    const s = b.getSnapshot();
    expect(s.status).toBe('refused');
    expect(s.error?.code).toBe(ErrorCode.Forbidden);
    expect(s.error?.serverMessage).toBe('Staff only.');
    expect(s.error?.retryable).toBe(false);
    expect(s.staff).toBeNull();
    vi.advanceTimersByTime(10_000);
    expect(topicMessages(ws)).toEqual(['subscribe:board']);
  });

  it('takes a forbidden without ref as the answer while its subscribe is outstanding', () => {
    const { signaling, board: b } = setup();
    b.subscribe();
    const ws = connect(signaling, CLIENT_USER);
    ws.serverSend({ type: 'error', code: 'forbidden', message: 'Staff only.', ref: null });
    expect(b.getSnapshot().status).toBe('refused');
    expect(b.getSnapshot().error?.code).toBe(ErrorCode.Forbidden);
  });

  it('tries again later when the subscribe is rate limited', () => {
    const { signaling, board: b } = setup();
    b.subscribe();
    const ws = connect(signaling);
    const ref = ws.sent.find((m) => m.type === 'subscribe')?.seq;
    ws.serverSend({ type: 'error', code: 'rate_limited', message: 'Slow down.', ref });
    expect(b.getSnapshot().status).toBe('subscribing');
    expect(b.getSnapshot().error?.code).toBe(ErrorCode.RateLimited);
    vi.advanceTimersByTime(999);
    expect(topicMessages(ws)).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(topicMessages(ws)).toEqual(['subscribe:board', 'subscribe:board']);
    ws.serverSend(board([makeStaff('ana')]));
    expect(b.getSnapshot()).toMatchObject({ status: 'live', error: null });
  });

  it('numbers its subscribes with the signals, so signal seq still grows', () => {
    const { signaling, board: b } = setup();
    const ws = connect(signaling);
    signaling.sendSignal('call-1', 'candidate', { candidate: '' });
    b.subscribe();
    signaling.sendSignal('call-1', 'candidate', { candidate: '' });
    const seqs = ws.sent
      .filter((m) => m.type !== 'hello')
      .map((m) => `${String(m.type)}:${String(m.seq)}`);
    expect(seqs).toEqual(['signal:1', 'subscribe:2', 'signal:3']);
  });

  it('lets go of the connection on dispose', () => {
    const { signaling, board: b, changes } = setup();
    b.subscribe();
    const ws = connect(signaling);
    ws.serverSend(board([makeStaff('ana')]));
    b.dispose();
    expect(topicMessages(ws).at(-1)).toBe('unsubscribe:board');
    const seen = changes.length;
    ws.serverSend(board([makeStaff('ben')]));
    ws.serverClose(1006);
    connect(signaling);
    expect(changes).toHaveLength(seen);
    expect(topicMessages(FakeSocket.latest())).toEqual([]);
  });
});
