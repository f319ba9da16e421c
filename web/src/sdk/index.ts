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
export { CallRecord } from './call/CallRecord';
export { CallPhase, PhaseEvent } from './call/phases';
export * as callFsm from './call/callFsm';
export { describeEnd, partyName } from './call/describe';
export { DeviceManager, stopStream } from './devices/DeviceManager';
export { PeerSession } from './webrtc/PeerSession';
export { StatsSampler } from './stats/StatsSampler';
export { computeSample, qualityWarnings } from './stats/computeSample';
export { Ringer, type RingerState } from './audio/Ringer';
export { SwitchboardClient, type MediaSnapshot } from './SwitchboardClient';
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
