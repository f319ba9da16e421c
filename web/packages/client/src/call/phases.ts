/**
 * The browser's own side of a call, one explicit machine per role. The server's states come from
 * spec/call-fsm.json (see CallRecord); these phases add what only the browser knows: asking for
 * the camera, the permission being denied, ICE connecting, reconnecting, the summary at the end.
 */
export enum CallPhase {
  Idle = 'idle',
  RequestingPermission = 'requesting_permission',
  PermissionDenied = 'permission_denied',
  /** Caller: `POST /v1/calls` in flight (optimistic). */
  Placing = 'placing',
  /** Caller: the call rings at the staff side. */
  Ringing = 'ringing',
  /** Staff: `POST /accept` in flight (optimistic). */
  Accepting = 'accepting',
  Connecting = 'connecting',
  Connected = 'connected',
  Reconnecting = 'reconnecting',
  /** The call is over; a summary is shown. */
  Ended = 'ended',
}

export enum PhaseEvent {
  Start = 'start',
  PermissionGranted = 'permission_granted',
  PermissionDenied = 'permission_denied',
  Retry = 'retry',
  CreateOk = 'create_ok',
  CreateFailed = 'create_failed',
  Accept = 'accept',
  AcceptOk = 'accept_ok',
  AcceptFailed = 'accept_failed',
  ServerAccepted = 'server_accepted',
  IceConnected = 'ice_connected',
  IceDisconnected = 'ice_disconnected',
  ServerTerminal = 'server_terminal',
  /** After a page reload or a resync: the server says a call is still ringing. */
  ResumeRinging = 'resume_ringing',
  /** After a page reload or a resync: the server says a call is accepted or active. */
  ResumeCall = 'resume_call',
  Dismiss = 'dismiss',
  /** Caller: the staff member passed the call on (docs/queue.md#transfer); the new call rings. */
  Transferred = 'transferred',
}

export type PhaseTable = Record<CallPhase, Partial<Record<PhaseEvent, CallPhase>>>;

const P = CallPhase;
const E = PhaseEvent;

export const CALLER_PHASES: PhaseTable = {
  [P.Idle]: {
    [E.Start]: P.RequestingPermission,
    [E.ResumeRinging]: P.Ringing,
    [E.ResumeCall]: P.Connecting,
  },
  [P.RequestingPermission]: {
    [E.PermissionGranted]: P.Placing,
    [E.PermissionDenied]: P.PermissionDenied,
    [E.Dismiss]: P.Idle,
  },
  [P.PermissionDenied]: { [E.Retry]: P.RequestingPermission, [E.Dismiss]: P.Idle },
  [P.Placing]: { [E.CreateOk]: P.Ringing, [E.CreateFailed]: P.Idle },
  [P.Ringing]: { [E.ServerAccepted]: P.Connecting, [E.ServerTerminal]: P.Ended },
  [P.Accepting]: {},
  [P.Connecting]: {
    [E.IceConnected]: P.Connected,
    [E.IceDisconnected]: P.Reconnecting,
    [E.ServerTerminal]: P.Ended,
    [E.Transferred]: P.Ringing,
  },
  [P.Connected]: {
    [E.IceDisconnected]: P.Reconnecting,
    [E.ServerTerminal]: P.Ended,
    [E.Transferred]: P.Ringing,
  },
  [P.Reconnecting]: {
    [E.IceConnected]: P.Connected,
    [E.ServerTerminal]: P.Ended,
    [E.Transferred]: P.Ringing,
  },
  [P.Ended]: { [E.Dismiss]: P.Idle, [E.Start]: P.RequestingPermission },
};

export const STAFF_PHASES: PhaseTable = {
  [P.Idle]: { [E.Accept]: P.Accepting, [E.ResumeCall]: P.RequestingPermission },
  [P.Accepting]: { [E.AcceptOk]: P.RequestingPermission, [E.AcceptFailed]: P.Idle },
  [P.RequestingPermission]: {
    [E.PermissionGranted]: P.Connecting,
    [E.PermissionDenied]: P.PermissionDenied,
    [E.ServerTerminal]: P.Ended,
  },
  [P.PermissionDenied]: {
    [E.Retry]: P.RequestingPermission,
    [E.ServerTerminal]: P.Ended,
    [E.Dismiss]: P.Idle,
  },
  [P.Placing]: {},
  [P.Ringing]: {},
  [P.Connecting]: {
    [E.IceConnected]: P.Connected,
    [E.IceDisconnected]: P.Reconnecting,
    [E.ServerTerminal]: P.Ended,
  },
  [P.Connected]: { [E.IceDisconnected]: P.Reconnecting, [E.ServerTerminal]: P.Ended },
  [P.Reconnecting]: { [E.IceConnected]: P.Connected, [E.ServerTerminal]: P.Ended },
  [P.Ended]: { [E.Dismiss]: P.Idle, [E.Accept]: P.Accepting },
};

export function phaseTable(role: 'client' | 'staff'): PhaseTable {
  return role === 'client' ? CALLER_PHASES : STAFF_PHASES;
}

/** What the client does because of a phase change: the store says so, the client carries it out. */
export enum PhaseEffect {
  /** Build the peer connection for the current call. */
  ConnectMedia = 'connect_media',
  /** Release camera and connection, and complete the summary with the server's quality. */
  EndCall = 'end_call',
  /** Close a peer connection that a failed create or accept may have left. */
  ClosePeer = 'close_peer',
}

/** The effects of one transition; the one place that decides them. */
export function phaseEffects(from: CallPhase, to: CallPhase, event: PhaseEvent): PhaseEffect[] {
  const effects: PhaseEffect[] = [];
  if (to === CallPhase.Connecting && from !== CallPhase.Reconnecting)
    effects.push(PhaseEffect.ConnectMedia);
  if (to === CallPhase.Ended) effects.push(PhaseEffect.EndCall);
  // A transfer closes the connection with the first staff member but keeps camera and
  // microphone for the next one.
  if (
    event === PhaseEvent.CreateFailed ||
    event === PhaseEvent.AcceptFailed ||
    event === PhaseEvent.Transferred
  )
    effects.push(PhaseEffect.ClosePeer);
  return effects;
}
