/** Thin React adapters over the SDK objects: each subscribes in an effect and returns the unsubscribe. */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { CallStoreSnapshot } from './types';
import type { MediaSnapshot, SwitchboardClient } from '../sdk/SwitchboardClient';
import type { Notice } from '../sdk/call/CallStore';
import { SignalingState } from '../sdk/signaling/SignalingClient';
import type { BoardSnapshot, BoardSubscription } from '../sdk/board/BoardSubscription';
import type { StaffEntry, User } from '../sdk/types';
import type { DeviceLists } from '../sdk/devices/DeviceManager';

export function useCallState(client: SwitchboardClient): CallStoreSnapshot {
  return useSyncExternalStore(client.store.subscribe, client.store.getSnapshot);
}

export function useMedia(client: SwitchboardClient): MediaSnapshot {
  return useSyncExternalStore(client.subscribeMedia, client.getMediaSnapshot);
}

export function useSignalingState(client: SwitchboardClient): SignalingState {
  const [state, setState] = useState(client.signaling.state);
  useEffect(() => client.on('signaling', setState), [client]);
  return state;
}

export function useCurrentUser(client: SwitchboardClient): User | null {
  const [user, setUser] = useState(client.currentUser);
  useEffect(() => client.on('user', setUser), [client]);
  return user;
}

/** Notices (toasts) with auto-dismiss after `ttlMs`. */
export function useNotices(
  client: SwitchboardClient,
  ttlMs = 7000,
): [Notice[], (id: number) => void] {
  const [notices, setNotices] = useState<Notice[]>([]);
  useEffect(
    () =>
      client.store.on('notice', (n) => {
        setNotices((list) =>
          [
            ...list.filter((x) => !(x.callId && x.callId === n.callId && x.kind === n.kind)),
            n,
          ].slice(-4),
        );
        setTimeout(() => setNotices((list) => list.filter((x) => x.id !== n.id)), ttlMs);
      }),
    [client, ttlMs],
  );
  const dismiss = (id: number): void => setNotices((list) => list.filter((x) => x.id !== id));
  return [notices, dismiss];
}

/** The org's staff board, followed (`subscribe` to the `board` topic) while `enabled` and mounted. */
export function useBoard(board: BoardSubscription, enabled: boolean): BoardSnapshot {
  useEffect(() => {
    if (!enabled) return;
    board.subscribe();
    return () => board.unsubscribe();
  }, [board, enabled]);
  return useSyncExternalStore(board.listen, board.getSnapshot);
}

const NO_STAFF: StaffEntry[] = [];

/** Staff of the org, live from the board (empty until its first snapshot). */
export function useTeam(client: SwitchboardClient, enabled: boolean): StaffEntry[] {
  return useBoard(client.board, enabled).staff ?? NO_STAFF;
}

/** Seconds left until `deadline` (ISO), ticking every 250 ms; null without a deadline. */
export function useCountdown(deadline: string | null, offsetMs = 0): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!deadline) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [deadline]);
  if (!deadline) return null;
  return Math.max(0, Math.ceil((Date.parse(deadline) - offsetMs - now) / 1000));
}

/** 0..1 loudness of the stream's first audio track, for a level meter. */
export function useMicLevel(stream: MediaStream | null): number {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    const track = stream?.getAudioTracks()[0];
    if (!stream || !track || typeof AudioContext === 'undefined') return;
    const ctx = new AudioContext();
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const data = new Uint8Array(analyser.fftSize);
    let raf = 0;
    let last = 0;
    const loop = (t: number): void => {
      raf = requestAnimationFrame(loop);
      if (t - last < 80) return;
      last = t;
      analyser.getByteTimeDomainData(data);
      let sum = 0;
      for (const v of data) sum += ((v - 128) / 128) ** 2;
      setLevel(Math.min(1, Math.sqrt(sum / data.length) * 4));
    };
    raf = requestAnimationFrame(loop);
    void ctx.resume().catch(() => undefined);
    return () => {
      cancelAnimationFrame(raf);
      source.disconnect();
      void ctx.close();
    };
  }, [stream]);
  return level;
}

/** Camera and microphone lists, following `devicechange`. */
export function useDeviceLists(client: SwitchboardClient): DeviceLists {
  const [lists, setLists] = useState<DeviceLists>(client.devices.lists);
  useEffect(() => {
    void client.devices.refresh().then(setLists, () => undefined);
    return client.devices.on('devices', setLists);
  }, [client]);
  return lists;
}
