import type { StaffState } from '@switchboard/client';

/** A staff member's state in the console's words (the team card, the board, the transfer list). */
export const STAFF_STATE_TEXT: Record<StaffState, string> = {
  idle: 'Waiting for calls',
  ringing: 'Ringing',
  in_call: 'In a call',
  wrap_up: 'Wrapping up',
};
