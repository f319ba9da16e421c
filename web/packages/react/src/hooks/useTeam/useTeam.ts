import type { StaffEntry, SwitchboardClient } from '@switchboard/client';
import { useBoard } from '../useBoard/useBoard';

const NO_STAFF: StaffEntry[] = [];

/** Staff of the org, live from the board (empty until its first snapshot). */
export function useTeam(client: SwitchboardClient, enabled: boolean): StaffEntry[] {
  return useBoard(client.board, enabled).staff ?? NO_STAFF;
}
