/**
 * The server's call state machine, read from `spec/call-fsm.json` (the single source shared with
 * the C++ server). Nothing here is hand-copied: states, events, transitions and end reasons all
 * come from the spec, so a change there changes the store and its tests.
 */
import spec from '../../../../../spec/call-fsm.json';
import type { ServerCallState } from '../types';

export type FsmState = ServerCallState | 'none';
export type FsmEvent = string;

/** What a transition causes on the server besides the new state (spec "effects"). */
export interface FsmEffects {
  ringing_staff?: 'taken' | 'cancelled' | 'missed' | 'declined';
  accepting_staff?: boolean;
  staff_wrap_up?: boolean;
  start_timers?: FsmTimer[];
  stop_timers?: FsmTimer[];
  push_ice_servers?: boolean;
  reroute?: 'rings_end' | 'staff_freed';
  ring_chosen_staff?: boolean;
}

export type FsmTimer = 'queue' | 'ring' | 'ring_step' | 'connect' | 'ice_refresh' | 'wrap_up';

export interface FsmTransition {
  from: FsmState;
  event: FsmEvent;
  to: ServerCallState;
  end_reason: string | null;
  effects: FsmEffects;
}

export interface FsmVector {
  name: string;
  steps: string[];
  then: ServerCallState;
  end_reason: string | null;
  version: number;
  /** The effects of the last step the vector accepts (absent when that is the create). */
  effects?: FsmEffects;
}

export interface FsmSpec {
  version: number;
  initial: 'none';
  states: { name: ServerCallState; terminal: boolean; why: string }[];
  events: { name: string; actor: string; why: string }[];
  effects: Record<keyof FsmEffects | '$comment', string>;
  transitions: FsmTransition[];
  end_reasons: string[];
  vectors: FsmVector[];
}

export const callFsmSpec = spec as unknown as FsmSpec;

export const SERVER_STATES: readonly ServerCallState[] = callFsmSpec.states.map((s) => s.name);
export const FSM_EVENTS: readonly FsmEvent[] = callFsmSpec.events.map((e) => e.name);

const table = new Map<string, FsmTransition>();
for (const t of callFsmSpec.transitions) table.set(`${t.from}|${t.event}`, t);

const terminal = new Set(callFsmSpec.states.filter((s) => s.terminal).map((s) => s.name));

export function isTerminal(state: FsmState): boolean {
  return state !== 'none' && terminal.has(state);
}

/** The transition for `(from, event)`, or null when the spec does not allow it. */
export function transition(from: FsmState, event: FsmEvent): FsmTransition | null {
  return table.get(`${from}|${event}`) ?? null;
}

/** Events allowed in `state`. */
export function allowedEvents(state: FsmState): FsmEvent[] {
  return callFsmSpec.transitions.filter((t) => t.from === state).map((t) => t.event);
}

/**
 * Which event explains a server snapshot moving the call from `from` to `to` with `endReason`.
 * Several events can lead to the same state (ringing → cancelled by `cancel` or `caller_left`);
 * the end reason tells them apart, and when it is one the spec does not list the first matching
 * transition is used (the server owns the reason's wording).
 */
export function eventFor(
  from: FsmState,
  to: ServerCallState,
  endReason: string | null,
): FsmTransition | null {
  const candidates = callFsmSpec.transitions.filter((t) => t.from === from && t.to === to);
  if (candidates.length === 0) return null;
  return candidates.find((t) => t.end_reason === endReason) ?? candidates[0];
}

/** Whether `to` can be reached from `from` in one or more allowed transitions. */
export function reachable(from: FsmState, to: ServerCallState): boolean {
  const seen = new Set<FsmState>([from]);
  const queue: FsmState[] = [from];
  while (queue.length) {
    const s = queue.shift() as FsmState;
    for (const t of callFsmSpec.transitions) {
      if (t.from !== s || seen.has(t.to)) continue;
      if (t.to === to) return true;
      seen.add(t.to);
      queue.push(t.to);
    }
  }
  return false;
}
