/**
 * The live half of the ops dashboard, as pure functions: the staff board's order and counts (its
 * entries come from the `board` topic, see ../board/BoardSubscription) and the live calls (from
 * `GET /v1/calls?state=...` and `call.updated`).
 */
import { isTerminal } from '../call/callFsm';
import type { Call, ServerCallState, StaffEntry, StaffState, StaffStatus } from '../types';

// --- Staff board ----------------------------------------------------------------------------

/** What the board shows for a person: `offline` whenever they have no connection. */
export function presenceOf(e: StaffEntry): StaffStatus {
  return e.connected ? e.status : 'offline';
}

/** docs/api.md#routing: available, connected, and idle or ringing. */
export function canBeRung(e: StaffEntry): boolean {
  return e.connected && e.status === 'available' && (e.state === 'idle' || e.state === 'ringing');
}

const PRESENCE_RANK: Record<StaffStatus, number> = { available: 0, away: 1, offline: 2 };
const STATE_RANK: Record<StaffState, number> = { in_call: 0, ringing: 1, wrap_up: 2, idle: 3 };

function displayName(e: StaffEntry): string {
  return (e.name?.trim() || e.id).toLocaleLowerCase();
}

/** Available first, then away, then offline; busy before idle; then by name. */
export function sortStaff(list: readonly StaffEntry[]): StaffEntry[] {
  return [...list].sort(
    (a, b) =>
      PRESENCE_RANK[presenceOf(a)] - PRESENCE_RANK[presenceOf(b)] ||
      (STATE_RANK[a.state] ?? 9) - (STATE_RANK[b.state] ?? 9) ||
      displayName(a).localeCompare(displayName(b)) ||
      a.id.localeCompare(b.id),
  );
}

export interface BoardCounts {
  total: number;
  /** Can be rung right now (see `canBeRung`). */
  free: number;
  ringing: number;
  inCall: number;
  wrapUp: number;
  away: number;
  offline: number;
}

export function boardCounts(list: readonly StaffEntry[]): BoardCounts {
  const c: BoardCounts = {
    total: list.length,
    free: 0,
    ringing: 0,
    inCall: 0,
    wrapUp: 0,
    away: 0,
    offline: 0,
  };
  for (const e of list) {
    const p = presenceOf(e);
    if (p === 'offline') c.offline++;
    else if (p === 'away') c.away++;
    if (canBeRung(e)) c.free++;
    if (e.state === 'ringing') c.ringing++;
    else if (e.state === 'in_call') c.inCall++;
    else if (e.state === 'wrap_up') c.wrapUp++;
  }
  return c;
}

// --- Live calls -----------------------------------------------------------------------------

export const LIVE_STATES: readonly ServerCallState[] = ['ringing', 'accepted', 'active'];

const LIVE_RANK: Partial<Record<ServerCallState, number>> = { ringing: 0, accepted: 1, active: 2 };

/** Ringing first (longest waiting first), then connecting, then in progress (longest first). */
export function sortLiveCalls(list: readonly Call[]): Call[] {
  return [...list].sort(
    (a, b) =>
      (LIVE_RANK[a.state] ?? 9) - (LIVE_RANK[b.state] ?? 9) ||
      Date.parse(a.created_at) - Date.parse(b.created_at) ||
      a.id.localeCompare(b.id),
  );
}

/**
 * One list from the per-state answers. The answers are taken one after the other, so a call may
 * show up in two of them (it moved on in between): the higher version wins; terminal calls go.
 */
export function mergeLiveCalls(lists: readonly (readonly Call[])[]): Call[] {
  const byId = new Map<string, Call>();
  for (const list of lists) {
    for (const c of list) {
      const seen = byId.get(c.id);
      if (!seen || c.version > seen.version) byId.set(c.id, c);
    }
  }
  return sortLiveCalls([...byId.values()].filter((c) => !isTerminal(c.state)));
}

/** Applies a `call.updated` snapshot: older versions are ignored, terminal calls leave the list. */
export function applyCallUpdate(list: readonly Call[], call: Call): Call[] {
  const seen = list.find((c) => c.id === call.id);
  if (seen && seen.version >= call.version) return list as Call[];
  const rest = list.filter((c) => c.id !== call.id);
  return isTerminal(call.state) ? rest : sortLiveCalls([...rest, call]);
}
