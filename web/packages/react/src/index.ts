/** Public entry of @switchboard/react: hooks that turn @switchboard/client's objects into state. */
export { useBoard } from './hooks/useBoard/useBoard';
export { useCallState } from './hooks/useCallState/useCallState';
export { useCountdown } from './hooks/useCountdown/useCountdown';
export { useCurrentUser } from './hooks/useCurrentUser/useCurrentUser';
export { useDeviceLists } from './hooks/useDeviceLists/useDeviceLists';
export { useMedia } from './hooks/useMedia/useMedia';
export { useMicLevel } from './hooks/useMicLevel/useMicLevel';
export { useNotices } from './hooks/useNotices/useNotices';
export { useNow } from './hooks/useNow/useNow';
export { useOpsMonitor } from './hooks/useOpsMonitor/useOpsMonitor';
export { useOpsSnapshot } from './hooks/useOpsSnapshot/useOpsSnapshot';
export { useRecentCalls, type RecentCalls } from './hooks/useRecentCalls/useRecentCalls';
export { useRingback } from './hooks/useRingback/useRingback';
export { useRinger } from './hooks/useRinger/useRinger';
export { useSignalingState } from './hooks/useSignalingState/useSignalingState';
export { useTeam } from './hooks/useTeam/useTeam';
