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

/** Events of `SwitchboardClient`. */
export const ClientEvent = {
  Media: 'media',
  Signaling: 'signaling',
  User: 'user',
  Availability: 'availability',
  Call: 'call',
  AuthFailed: 'authFailed',
} as const satisfies Record<string, keyof ClientEventCallbacks>;
export type ClientEvent = (typeof ClientEvent)[keyof typeof ClientEvent];

/** Events of `SignalingClient` (the WebSocket). */
export const SignalingEvent = {
  State: 'state',
  Welcome: 'welcome',
  Message: 'message',
  AuthFailed: 'authFailed',
} as const satisfies Record<string, keyof SignalingEventCallbacks>;
export type SignalingEvent = (typeof SignalingEvent)[keyof typeof SignalingEvent];

/** Events of `CallStore` (`client.store`). */
export const StoreEvent = {
  Change: 'change',
  Notice: 'notice',
  Effect: 'effect',
} as const satisfies Record<string, keyof StoreEventCallbacks>;
export type StoreEvent = (typeof StoreEvent)[keyof typeof StoreEvent];

/** Events of `BoardSubscription` (`client.board`): one, the new snapshot. */
export const BoardEvent = { Change: 'change' } as const satisfies Record<
  string,
  keyof BoardEventCallbacks
>;
export type BoardEvent = (typeof BoardEvent)[keyof typeof BoardEvent];

/** Events of `OpsMonitor`: one, the new snapshot. */
export const OpsEvent = { Change: 'change' } as const satisfies Record<
  string,
  keyof OpsEventCallbacks
>;
export type OpsEvent = (typeof OpsEvent)[keyof typeof OpsEvent];
