/**
 * Wire types of docs/openapi.yaml and docs/asyncapi.yaml. Field names are the server's
 * (snake_case).
 */

export type Role = 'client' | 'staff' | 'admin';

export type ServerCallState =
  | 'queued'
  | 'ringing'
  | 'accepted'
  | 'active'
  | 'cancelled'
  | 'missed'
  | 'declined'
  | 'failed'
  | 'ended';

/** v1.1 (docs/queue.md#transfer): whom a call is transferred to, a staff member or a topic. */
export type TransferTarget = { staff_id: string } | { topic: string };

/** v1.1 (docs/queue.md): where a queued call stands. */
export interface QueueSpot {
  position: number;
  estimated_wait_s: number | null;
}

export interface Party {
  id: string;
  name?: string | null;
}

export interface QualityBucket {
  avg: number | null;
  max: number | null;
}

export interface QualitySummary {
  samples: number;
  rtt_ms: QualityBucket;
  jitter_ms: QualityBucket;
  packet_loss_pct: QualityBucket;
  bitrate_kbps: Partial<Record<'audio_in' | 'audio_out' | 'video_in' | 'video_out', number | null>>;
  candidate_type: CandidateType | null;
  /** ICE restarts seen by that side (beyond the summary the contract asked for; docs/decisions/0002). */
  reconnects?: number;
}

export interface Call {
  id: string;
  org_id: string;
  state: ServerCallState;
  version: number;
  caller: Party;
  staff: Party | null;
  media: { audio: boolean; video: boolean };
  metadata: Record<string, string>;
  created_at: string;
  ring_deadline: string | null;
  accepted_at: string | null;
  active_at: string | null;
  ended_at: string | null;
  end_reason: string | null;
  quality?: { caller: QualitySummary | null; staff: QualitySummary | null } | null;
  /** v1.1 (docs/queue.md); absent from older servers. */
  topic?: string | null;
  queued_at?: string | null;
  queue?: QueueSpot;
  transferred_from?: string | null;
  transferred_to?: string | null;
  /** On the announcement of a transfer's new call: the staff member it is passed to. */
  transfer_target?: Party | null;
  /** v1.1 (docs/config.md#ice-server-profiles): the ICE server profile drawn at accept; null before. */
  ice_profile?: string | null;
}

export interface User {
  id: string;
  org: string;
  role: Role;
  name?: string | null;
}

export type StaffStatus = 'available' | 'away' | 'offline';
export type StaffState = 'idle' | 'ringing' | 'in_call' | 'wrap_up';

export interface StaffEntry {
  id: string;
  name?: string | null;
  status: StaffStatus;
  state: StaffState;
  connected: boolean;
  since: string | null;
  call_id: string | null;
  /** Topics this person serves (v1.1, docs/queue.md#topics); absent from servers that have no topics. */
  skills?: string[];
}

/** The topics a connection can subscribe to (docs/asyncapi.yaml). */
export type Topic = 'board';

/** The org's queue as the board carries it (sections 11.1 and 11.2). */
export interface QueueInfo {
  length: number;
}

/** What `board` and `board.updated` carry. `seq` grows by one per message on the connection. */
export interface BoardContent {
  staff: StaffEntry[];
  queue: QueueInfo;
  seq: number;
}

/** The answer to `subscribe`: every entry of the org, seq 1. */
export type BoardMessage = { type: 'board' } & BoardContent;

/** The entries changed since the last board message (at most once per `--board-interval`). */
export type BoardUpdatedMessage = { type: 'board.updated' } & BoardContent;

export interface IceServersResponse {
  ice_servers: RTCIceServer[];
  expires_at: string;
}

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** `QualitySample` of docs/openapi.yaml. */
export interface QualitySample {
  at: string;
  rtt_ms: number | null;
  jitter_ms: number | null;
  packet_loss_pct: number | null;
  bitrate_kbps: { audio_in: number; audio_out: number; video_in: number; video_out: number };
  candidate_type: CandidateType | null;
  /** An RTCIceConnectionState value. */
  ice_state: string;
}

export interface Feedback {
  score: 1 | 2 | 3 | 4 | 5;
  issues?: string[];
  comment?: string;
}

export type SignalKind = 'offer' | 'answer' | 'candidate' | 'restart';

/**
 * `data` of a signal, always an object. offer/answer/restart: an RTCSessionDescriptionInit
 * (`{type, sdp}`); candidate: an RTCIceCandidateInit, `{"candidate": ""}` for the end of
 * candidates.
 */
export type SignalData = RTCSessionDescriptionInit | RTCIceCandidateInit;

// Server → browser WebSocket messages (sections 5 and 11.1).
export type ServerMessage =
  | { type: 'welcome'; session: string; user: User; calls: Call[] }
  | { type: 'call.incoming'; call: Call }
  | { type: 'call.updated'; call: Call }
  | {
      type: 'signal';
      call_id: string;
      from: string;
      kind: SignalKind;
      data: SignalData;
      seq: number;
    }
  /** v1.1: only to the staff member's own connections; the org's staff are on the board. */
  | { type: 'availability.updated'; staff: StaffEntry }
  | {
      type: 'queue.updated';
      call_id: string;
      position: number;
      estimated_wait_s: number | null;
    }
  | BoardMessage
  | BoardUpdatedMessage
  | { type: 'ice_servers'; ice_servers: RTCIceServer[]; expires_at: string }
  /**
   * `ref` is the `seq` of the message it answers (null when that message had none);
   * `retryable` as in spec/errors.json.
   */
  | {
      type: 'error';
      code: string;
      message: string;
      retryable: boolean;
      ref?: number | null;
      /** As in REST errors, e.g. `state` for `invalid_transition`. */
      details?: Record<string, string>;
    }
  | { type: 'pong' };

/** The payload of the server message named `T`: `ServerMessageOf<'call.updated'>`. */
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** The name of every server → browser message. */
export const ServerMessageType = {
  Welcome: 'welcome',
  CallIncoming: 'call.incoming',
  CallUpdated: 'call.updated',
  Signal: 'signal',
  AvailabilityUpdated: 'availability.updated',
  QueueUpdated: 'queue.updated',
  Board: 'board',
  BoardUpdated: 'board.updated',
  IceServers: 'ice_servers',
  Error: 'error',
  Pong: 'pong',
} as const satisfies Record<string, ServerMessage['type']>;
export type ServerMessageType = (typeof ServerMessageType)[keyof typeof ServerMessageType];

// Browser → server WebSocket messages. `seq` numbers them per connection: an `error` about one
// names it in `ref`.
export type TopicMessage =
  | { type: 'subscribe'; topic: Topic; seq?: number }
  | { type: 'unsubscribe'; topic: Topic; seq?: number };

export type ClientMessage =
  | { type: 'hello'; token: string }
  | { type: 'ping'; seq?: number }
  | { type: 'signal'; call_id: string; kind: SignalKind; data: SignalData; seq: number }
  | TopicMessage;

/** A browser → server message before `SignalingClient.sendNumbered` gives it its `seq`. */
export type UnnumberedClientMessage = ClientMessage extends infer M
  ? M extends ClientMessage
    ? Omit<M, 'seq'>
    : never
  : never;

/** The name of every browser → server message. */
export const ClientMessageType = {
  Hello: 'hello',
  Ping: 'ping',
  Signal: 'signal',
  Subscribe: 'subscribe',
  Unsubscribe: 'unsubscribe',
} as const satisfies Record<string, ClientMessage['type']>;
export type ClientMessageType = (typeof ClientMessageType)[keyof typeof ClientMessageType];

export const TERMINAL_STATES: readonly ServerCallState[] = [
  'cancelled',
  'missed',
  'declined',
  'failed',
  'ended',
];
