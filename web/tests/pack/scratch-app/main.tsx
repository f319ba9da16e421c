// An integrator's app, served from its own origin: it installs @switchboard/client and
// @switchboard/react from their tarballs and talks to the Switchboard server at `?server=`.
// `?role=staff` becomes available and accepts the first call that rings; `?role=client` places a
// call when the test calls window.scratch.placeCall(). The call's phase is on the page (React).
import {
  CallPhase,
  ClientEvent,
  ServerMessageType,
  SignalingEvent,
  SignalingState,
  SwitchboardClient,
  callFsm,
  type Call,
  type ServerMessageOf,
} from '@switchboard/client';
import { useCallState, useSignalingState } from '@switchboard/react';
import { createRoot } from 'react-dom/client';

const params = new URLSearchParams(location.search);
const server = params.get('server') ?? '';
const token = params.get('token') ?? '';
const role = params.get('role') === 'staff' ? 'staff' : 'client';

const client = new SwitchboardClient({
  role,
  getToken: () => token,
  baseUrl: server,
  wsUrl: `${server.replace(/^http/, 'ws')}/v1/ws`,
});

const seen: { messages: string[]; calls: Call[]; errors: string[] } = {
  messages: [],
  calls: [],
  errors: [],
};
client.signaling.on(SignalingEvent.Message, (m) => seen.messages.push(m.type));
client.on(ClientEvent.Call, (call) => {
  seen.calls.push(call);
  if (role === 'staff' && call.state === 'ringing') {
    client.accept(call.id).catch((e: unknown) => seen.errors.push(String(e)));
  }
});
client.signaling.on(SignalingEvent.State, (state) => {
  if (role === 'staff' && state === SignalingState.Open) {
    client.setAvailability('available').catch((e: unknown) => seen.errors.push(String(e)));
  }
});
client.signaling.on(SignalingEvent.Message, (m) => {
  if (m.type !== ServerMessageType.Error) return;
  const error: ServerMessageOf<'error'> = m;
  seen.errors.push(`${error.code}: ${error.message}`);
});

function CallView() {
  const { phase } = useCallState(client);
  const signaling = useSignalingState(client);
  return (
    <p>
      signaling <output id="signaling">{signaling}</output>, call{' '}
      <output id="phase">{phase}</output>
    </p>
  );
}

Object.assign(window, {
  scratch: {
    seen,
    placeCall: () => client.placeCall(),
    hangUp: () => client.hangUp(),
    phase: () => client.store.phase,
    connectedPhase: CallPhase.Connected,
    fsmStates: callFsm.SERVER_STATES,
  },
});
client.connect();
createRoot(document.getElementById('root')!).render(<CallView />);
