// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import type { BoardSubscription } from '@switchboard/client';
import { connectedClient, staffUser } from '../../../../client/src/test/client';
import { FakeSocket, makeStaff } from '../../../../client/src/test/fakes';
import { renderHook, update } from '../../../../../src/testing/render';
import { useBoard } from './useBoard';

const topics = (ws: FakeSocket) =>
  ws.sent.filter((m) => m.type === 'subscribe' || m.type === 'unsubscribe').map((m) => m.type);

describe('useBoard', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('subscribes while enabled and mounted, and renders each board', () => {
    const { client, ws } = connectedClient('staff', {});
    ws.welcome(staffUser);
    const { result, rerender, unmount } = renderHook(
      ({ board, on }: { board: BoardSubscription; on: boolean }) => useBoard(board, on),
      { board: client.board, on: false },
    );
    expect(topics(ws)).toEqual([]);
    rerender({ board: client.board, on: true });
    expect(topics(ws)).toEqual(['subscribe']);
    update(() =>
      ws.serverSend({ type: 'board', staff: [makeStaff('st-ana')], queue: { length: 2 }, seq: 1 }),
    );
    expect(result.current.staff?.map((s) => s.id)).toEqual(['st-ana']);
    unmount();
    expect(topics(ws)).toEqual(['subscribe', 'unsubscribe']);
    client.dispose();
  });
});
