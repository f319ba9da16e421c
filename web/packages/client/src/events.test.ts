/** The event-name constants name every event of their emitter, and nothing else. */
import { describe, expectTypeOf, it } from 'vitest';
import type { BoardEventCallbacks } from './board/BoardSubscription';
import type { StoreEventCallbacks } from './call/CallStore';
import { BoardEvent, ClientEvent, OpsEvent, SignalingEvent, StoreEvent } from './events';
import type { OpsEventCallbacks } from './ops/OpsMonitor';
import type { SignalingEventCallbacks } from './signaling/SignalingClient';
import type { ClientEventCallbacks } from './SwitchboardClient';
import {
  ClientMessageType,
  ServerMessageType,
  type ClientMessage,
  type ServerMessage,
} from './types';

describe('event names', () => {
  it('cover every event of each emitter (checked by tsc)', () => {
    expectTypeOf<ClientEvent>().toEqualTypeOf<keyof ClientEventCallbacks>();
    expectTypeOf<SignalingEvent>().toEqualTypeOf<keyof SignalingEventCallbacks>();
    expectTypeOf<StoreEvent>().toEqualTypeOf<keyof StoreEventCallbacks>();
    expectTypeOf<BoardEvent>().toEqualTypeOf<keyof BoardEventCallbacks>();
    expectTypeOf<OpsEvent>().toEqualTypeOf<keyof OpsEventCallbacks>();
  });

  it('cover every wire message type both ways (checked by tsc)', () => {
    expectTypeOf<ServerMessageType>().toEqualTypeOf<ServerMessage['type']>();
    expectTypeOf<ClientMessageType>().toEqualTypeOf<ClientMessage['type']>();
  });
});
