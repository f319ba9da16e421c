/**
 * The names of the events the SDK's objects emit, as constants, as LiveKit's client SDK has
 * `RoomEvent`: `client.on(ClientEvent.Call, (call) => ...)`. What each event passes is the
 * matching `...EventCallbacks` type, exported next to its emitter.
 */
import type { BoardEventCallbacks } from './board/BoardSubscription';
import type { StoreEventCallbacks } from './call/CallStore';
import type { OpsEventCallbacks } from './ops/OpsMonitor';
import type { SignalingEventCallbacks } from './signaling/SignalingClient';
import type { ClientEventCallbacks } from './SwitchboardClient';

/** The event names a constant below holds, as a type (`ClientEvent` is `'media' | …`). */
type EventName<Names> = Names[keyof Names];

/** Events of `SwitchboardClient`. */
export const ClientEvent = {
  Media: 'media',
  Signaling: 'signaling',
  User: 'user',
  Availability: 'availability',
  Call: 'call',
  AuthFailed: 'authFailed',
} as const satisfies Record<string, keyof ClientEventCallbacks>;
export type ClientEvent = EventName<typeof ClientEvent>;

/** Events of `SignalingClient` (the WebSocket). */
export const SignalingEvent = {
  State: 'state',
  Welcome: 'welcome',
  Message: 'message',
  AuthFailed: 'authFailed',
} as const satisfies Record<string, keyof SignalingEventCallbacks>;
export type SignalingEvent = EventName<typeof SignalingEvent>;

/** Events of `CallStore` (`client.store`). */
export const StoreEvent = {
  Change: 'change',
  Notice: 'notice',
  Effect: 'effect',
} as const satisfies Record<string, keyof StoreEventCallbacks>;
export type StoreEvent = EventName<typeof StoreEvent>;

/** The one event of an emitter of snapshots: the new snapshot. */
const SnapshotEvent = { Change: 'change' } as const;

/** Events of `BoardSubscription` (`client.board`). */
export const BoardEvent = SnapshotEvent satisfies Record<string, keyof BoardEventCallbacks>;
export type BoardEvent = EventName<typeof BoardEvent>;

/** Events of `OpsMonitor`. */
export const OpsEvent = SnapshotEvent satisfies Record<string, keyof OpsEventCallbacks>;
export type OpsEvent = EventName<typeof OpsEvent>;
