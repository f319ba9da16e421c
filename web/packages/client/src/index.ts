/**
 * Public entry of @switchboard/client, the framework-free SDK: the wire types and message names
 * (types.ts), the event names (events.ts), and the objects that emit them.
 */
export * from './types';
export * from './errors';
export * from './events';
export { RestClient } from './rest/RestClient';
export {
  SignalingClient,
  SignalingState,
  type SignalingEventCallbacks,
  type SignalingOptions,
  type WebSocketLike,
  type WebSocketFactory,
} from './signaling/SignalingClient';
export {
  DefaultReconnectPolicy,
  immediateReconnect,
  type ReconnectPolicy,
} from './signaling/ReconnectPolicy';
export {
  CallStore,
  type CallSummary,
  type Notice,
  type StoreSnapshot,
  type StoreEventCallbacks,
} from './call/CallStore';
export { CallRecord, type CallSnapshot } from './call/CallRecord';
export { CallPhase, PhaseEffect, PhaseEvent } from './call/phases';
export * as callFsm from './call/callFsm';
export { describeEnd, partyName } from './call/describe';
export {
  DeviceManager,
  stopStream,
  type DeviceLists,
  type PermissionStatus,
  type ScreenShareSupport,
} from './devices/DeviceManager';
export { PeerSession, type RemoteMediaState } from './webrtc/PeerSession';
export { StatsSampler } from './stats/StatsSampler';
export { computeSample, qualityWarnings } from './stats/computeSample';
export { Ringer, type RingerState } from './audio/Ringer';
export { Ringback, type RingbackState } from './audio/Ringback';
export {
  SwitchboardClient,
  type MediaSnapshot,
  type CameraProblem,
  type SwitchboardClientOptions,
  type ClientEventCallbacks,
} from './SwitchboardClient';
export {
  BoardSubscription,
  type BoardSnapshot,
  type BoardStatus,
  type BoardSubscriptionOptions,
  type BoardEventCallbacks,
} from './board/BoardSubscription';
export {
  OpsMonitor,
  type OpsSnapshot,
  type OpsMonitorOptions,
  type OpsEventCallbacks,
} from './ops/OpsMonitor';
export * from './ops/summary';
export * from './ops/board';
export { getLogger, setLogLevel, logHistory } from './util/logger';
export { formatDuration } from './util/time';
