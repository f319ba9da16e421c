/**
 * The page's call client in page tests. A page test replaces the real provider with this module:
 *   vi.mock('../providers/CallProvider/CallProvider', () => import('../testing/pageClient'));
 * and starts a real SwitchboardClient on fakes (socket, fetch, devices, peer connection) that
 * the page then gets from `useCallClient`. The test plays the server through `ws` and `routes`.
 */
import type { SwitchboardClient } from '@switchboard/client';
import { connectedClient } from '../../packages/client/src/test/client';
import { FakeSocket, fakeFetch } from '../../packages/client/src/test/fakes';
import { FakeDevices, ScriptedPc } from '../../packages/client/src/test/media';
import type { CallProviderProps } from '../providers/CallProvider/CallProvider';
import { vi } from 'vitest';
import { cleanup } from './render';

let current: SwitchboardClient | null = null;
/** The stream each video element shows (the fake streams are not the DOM's MediaStream). */
const shown = new WeakMap<HTMLMediaElement, MediaStream | null>();

/** The stream `el` was given, or null. */
export function shownStream(el: Element | null): MediaStream | null {
  return (el instanceof HTMLMediaElement && shown.get(el)) || null;
}

function acceptFakeStreams(): void {
  vi.spyOn(HTMLMediaElement.prototype, 'srcObject', 'set').mockImplementation(function (
    this: HTMLMediaElement,
    s,
  ) {
    shown.set(this, s as MediaStream | null);
  });
  vi.spyOn(HTMLMediaElement.prototype, 'srcObject', 'get').mockImplementation(function (
    this: HTMLMediaElement,
  ) {
    return shown.get(this) ?? null;
  });
}
/** The props each page handed its provider (the role it asked for, mostly). */
export const providerProps: Omit<CallProviderProps, 'children'>[] = [];

/** Stands in for the real provider: the client is the one `startPageClient` made. */
export function CallProvider({ children, ...props }: CallProviderProps) {
  providerProps.push(props);
  return <>{children}</>;
}

export function useCallClient(): SwitchboardClient {
  if (!current) throw new Error('startPageClient first');
  return current;
}

/** A client for the page, connected to an open FakeSocket; disposed by `stopPageClient`. */
export function startPageClient(
  role: 'client' | 'staff',
  routes: Parameters<typeof fakeFetch>[0] = {},
  devices = new FakeDevices(),
) {
  const pcs: ScriptedPc[] = [];
  acceptFakeStreams();
  const { client, ws, requests } = connectedClient(role, routes, devices, {
    candidateWaitMs: 0,
    createPeerConnection: () => {
      const pc = new ScriptedPc();
      pcs.push(pc);
      return pc as unknown as RTCPeerConnection;
    },
  });
  current = client;
  return { client, ws, requests, devices, pcs };
}

/** Unmounts the page first, so that nothing renders with a disposed client. */
export function stopPageClient(): void {
  cleanup();
  current?.dispose();
  current = null;
  providerProps.length = 0;
  vi.restoreAllMocks();
  FakeSocket.instances = [];
}
