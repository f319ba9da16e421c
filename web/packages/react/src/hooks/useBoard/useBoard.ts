import { useEffect, useSyncExternalStore } from 'react';
import type { BoardSnapshot, BoardSubscription } from '@switchboard/client';

/** The org's staff board, followed (`subscribe` to the `board` topic) while `enabled` and mounted. */
export function useBoard(board: BoardSubscription, enabled: boolean): BoardSnapshot {
  useEffect(() => {
    if (!enabled) return;
    board.subscribe();
    return () => board.unsubscribe();
  }, [board, enabled]);
  return useSyncExternalStore(board.listen, board.getSnapshot);
}
