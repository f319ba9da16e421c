/** Plain-language wording of how a call ended, for each side. */
import type { Call, Party } from '../types';
import type { CallSnapshot } from './CallRecord';

export function partyName(p: Party | null | undefined): string {
  if (!p) return 'someone';
  return p.name?.trim() || p.id;
}

export interface EndWording {
  headline: string;
  detail: string;
  tone: 'neutral' | 'warning' | 'error';
}

export function describeEnd(call: Call | CallSnapshot, role: 'client' | 'staff'): EndWording {
  const other = role === 'client' ? partyName(call.staff) : partyName(call.caller);
  switch (call.state) {
    case 'ended':
      // Set by the side that stayed, once the other one's page had gone and not come back.
      if (call.end_reason === 'caller_left' || call.end_reason === 'staff_left') {
        const theyLeft = (role === 'staff') === (call.end_reason === 'caller_left');
        return theyLeft
          ? {
              headline: role === 'staff' ? 'The caller left' : `${other} left the call`,
              detail: `${other} closed the call window, so the call has ended.`,
              tone: 'neutral',
            }
          : {
              headline: 'Call ended',
              detail: `Your call with ${other} ended when you left the page.`,
              tone: 'neutral',
            };
      }
      if (call.end_reason === 'participant_lost')
        return {
          headline: 'Call dropped',
          detail: `The connection with ${other} was lost.`,
          tone: 'warning',
        };
      return {
        headline: 'Call ended',
        detail: `Your call with ${other} has ended.`,
        tone: 'neutral',
      };
    case 'missed':
      return role === 'client'
        ? {
            headline: 'Nobody answered',
            detail: 'Nobody could take your call in time. Please try again.',
            tone: 'warning',
          }
        : { headline: 'Missed call', detail: `You missed a call from ${other}.`, tone: 'warning' };
    case 'declined':
      return role === 'client'
        ? {
            headline: 'Call declined',
            detail: 'Nobody could take your call right now. Please try again later.',
            tone: 'warning',
          }
        : {
            headline: 'Call declined',
            detail: `The call from ${other} was declined.`,
            tone: 'neutral',
          };
    case 'cancelled':
      return role === 'client'
        ? {
            headline: 'Call cancelled',
            detail: 'You hung up before anyone answered.',
            tone: 'neutral',
          }
        : {
            headline: 'Caller hung up',
            detail: `${other} hung up before the call was answered.`,
            tone: 'neutral',
          };
    case 'failed':
      // media_failed: the staff member's camera or microphone could not start (blocked, in use).
      if (call.end_reason === 'media_failed')
        return role === 'client'
          ? {
              headline: 'Could not connect',
              detail: `${other}'s camera or microphone could not start. Please call again.`,
              tone: 'error',
            }
          : {
              headline: 'Could not connect',
              detail:
                'Your camera or microphone could not start, so the call could not connect. Check that this site may use them before the next call.',
              tone: 'error',
            };
      return {
        headline: 'Could not connect',
        detail:
          call.end_reason === 'connect_timeout'
            ? 'Audio and video could not connect in time. Your network may be blocking calls.'
            : 'The audio and video connection failed. Please try again.',
        tone: 'error',
      };
    default:
      return { headline: 'Call over', detail: '', tone: 'neutral' };
  }
}
