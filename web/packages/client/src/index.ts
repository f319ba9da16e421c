/** Public entry of the framework-free SDK. */
export * from './types';
export * from './errors';
export { RestClient } from './rest/RestClient';
export { SignalingClient, SignalingState } from './signaling/SignalingClient';
export {
  DefaultReconnectPolicy,
  immediateReconnect,
  type ReconnectPolicy,
} from './signaling/ReconnectPolicy';
export { CallStore, type CallSummary, type Notice, type StoreSnapshot } from './call/CallStore';
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
} from './SwitchboardClient';
export {
  BoardSubscription,
  type BoardSnapshot,
  type BoardStatus,
  type BoardSubscriptionOptions,
} from './board/BoardSubscription';
export { OpsMonitor, type OpsSnapshot, type OpsMonitorOptions } from './ops/OpsMonitor';
export * from './ops/summary';
export * from './ops/board';
export { getLogger, setLogLevel, logHistory } from './util/logger';
export { formatDuration } from './util/time';
